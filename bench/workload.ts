import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PrismaClient } from '../src/db/client';

/** Names of one measurement run: its users, queues and task queue never meet another run's. */
export interface RunIds {
  readonly run: string;
  readonly taskQueue: string;
}

/** Fresh names for one run. */
export function createRunIds(label: string): RunIds {
  const run = `${label}-${randomUUID().slice(0, 8)}`;
  return { run, taskQueue: `bench-${run}` };
}

const ISSUER = 'bench.example.com';

/** `n` active tokenserver users of this run (one row each), in one statement. */
export async function seedUsers(prisma: PrismaClient, run: string, n: number): Promise<void> {
  await prisma.$executeRaw`INSERT INTO users (email, generation, client_state, created_at)
    SELECT ${run} || '-' || i || '@' || ${ISSUER}, 1, '', 0 FROM generate_series(0, ${n - 1}::int) AS i`;
}

/** An FxA `delete` notification for user `i` of the run; `sentAtMs` travels in `ts` (seconds, with milliseconds). */
export function toDeleteBody(run: string, i: number, sentAtMs = Date.now()): string {
  return JSON.stringify({ event: 'delete', uid: `${run}-${i}`, iss: ISSUER, ts: sentAtMs / 1000 });
}

/** Retired users of the run, and when the last one was retired (ms since the epoch, set by the activity). */
export async function countRetired(prisma: PrismaClient, run: string): Promise<{ count: number; lastAt: number }> {
  const [row] = await prisma.$queryRaw<Array<{ count: bigint; last_at: bigint | null }>>`
    SELECT count(*) AS count, max(replaced_at) AS last_at FROM users
    WHERE email LIKE ${`${run}-%`} AND replaced_at IS NOT NULL`;
  return { count: Number(row?.count ?? 0), lastAt: Number(row?.last_at ?? 0) };
}

/** Waits until every one of `n` users of the run is retired; returns when the last one was. */
export async function waitForRetired(prisma: PrismaClient, run: string, n: number, timeoutMs: number, pollMs = 200): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count, lastAt } = await countRetired(prisma, run);
    if (count >= n) return lastAt;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${n} users of ${run} retired after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(pollMs);
  }
}

/** A route queue with its dead-letter queue and a quarantine queue, as `cascade init` makes them. */
export interface BenchQueues {
  readonly queueUrl: string;
  readonly quarantineQueueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** Fresh queues for one run. */
export async function createBenchQueues(sqs: SQSClient, run: string): Promise<BenchQueues> {
  const create = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30', ...attributes } }))).QueueUrl ?? '';
  const deadLetterQueueUrl = await create(`bench-dlq-${run}`);
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  const quarantineQueueUrl = await create(`bench-quarantine-${run}`);
  const queueUrl = await create(`bench-events-${run}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }) });
  return { queueUrl, quarantineQueueUrl, deadLetterQueueUrl };
}

/** Puts bodies on a queue, ten per call, `concurrency` calls at once; fails on any refused entry. */
export async function preload(sqs: SQSClient, queueUrl: string, bodies: readonly string[], concurrency = 8): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) {
      const start = next;
      next += 10;
      const batch = bodies.slice(start, start + 10);
      const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })) }));
      if ((response.Failed ?? []).length > 0) throw new Error(`SQS refused ${response.Failed?.length ?? 0} bench message(s): ${JSON.stringify(response.Failed?.[0])}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Visible + in-flight + delayed messages of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Polls `read` until it returns at least `target` (rejects after `timeoutMs`); resolves with the time it did. */
export async function waitForCount(what: string, read: () => Promise<number>, target: number, timeoutMs: number, pollMs = 25): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value >= target) return Date.now();
    if (Date.now() > deadline) throw new Error(`${what}: ${value} of ${target} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(pollMs);
  }
}
