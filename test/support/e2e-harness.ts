import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import { type RunningCascade, startCascadeProcess } from '../../src/app/cascade-app';
import { createSqsClient } from '../../src/app/clients';
import type { OutcomeRecord } from '../../src/bridge/bridge';
import { type CascadeConfig, type ProcessRole, loadConfig } from '../../src/config';
import { defaultWorkflowBundlePath } from '../../src/worker/workflow-source';
import { sendMessageBodies } from '../../src/cli/commands/send-command';
import { type MigratedDatabase, createMigratedDatabase } from './migrated-database';

/** Queues of one test: a route queue redriving to its own DLQ, and a quarantine queue. */
export interface TestQueues {
  readonly queueUrl: string;
  readonly quarantineQueueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** Everything an end-to-end test file shares: its database, clients and env. */
export interface E2eContext {
  readonly db: MigratedDatabase;
  readonly sqs: SQSClient;
  readonly temporal: Client;
  readonly taskQueue: string;
  /** The environment a Cascade process of this test runs with. */
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  config(overrides?: NodeJS.ProcessEnv, roles?: readonly ProcessRole[]): CascadeConfig;
  close(): Promise<void>;
}

/** Test-only logger: quiet unless CASCADE_TEST_LOG_LEVEL is set. */
export function createTestLogger(): Logger {
  return pino({ level: process.env.CASCADE_TEST_LOG_LEVEL ?? 'silent' });
}

/** Creates fresh queues (unique names) with the same redrive wiring as the stack. */
export async function createTestQueues(sqs: SQSClient, label: string, maxReceiveCount = 5): Promise<TestQueues> {
  const suffix = `${label}-${randomUUID().slice(0, 8)}`;
  const create = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30', ...attributes } }))).QueueUrl ?? '';
  const deadLetterQueueUrl = await create(`dlq-${suffix}`);
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  const quarantineQueueUrl = await create(`quarantine-${suffix}`);
  const queueUrl = await create(`events-${suffix}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }) });
  return { queueUrl, quarantineQueueUrl, deadLetterQueueUrl };
}

/** Sets up an end-to-end test file on the test stack the root hook started. */
export async function createE2eContext(label: string): Promise<E2eContext> {
  const base = loadConfig(process.env, ['client']);
  const sqs = createSqsClient(base);
  const db = await createMigratedDatabase(label);
  const connection = await Connection.connect({ address: base.temporal.address });
  const temporal = new Client({ connection, namespace: base.temporal.namespace });
  const taskQueue = `e2e-${label}-${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The stack exports every route's queue; a test serves only the routes it names.
    CASCADE_ROUTES: 'account-events',
    CASCADE_WAIT_TIME_SECONDS: '2',
    CASCADE_FAILURE_BACKOFF_SECONDS: '1',
    CASCADE_FAILURE_BACKOFF_MAX_SECONDS: '2',
    CASCADE_ACTIVITY_INITIAL_INTERVAL_MS: '200',
    CASCADE_ACTIVITY_MAX_INTERVAL_MS: '1000',
    CASCADE_HTTP_HOST: '127.0.0.1',
    CASCADE_HTTP_PORT: '0',
    CASCADE_SHUTDOWN_GRACE_MS: '5000',
    CASCADE_WORKFLOW_BUNDLE: defaultWorkflowBundlePath(),
    // The status gauges read the dead-letter and quarantine queues (adding to receive counts tests assert): on only where a test asks.
    CASCADE_STATUS_METRICS_INTERVAL_SECONDS: '0',
    LOG_LEVEL: process.env.CASCADE_TEST_LOG_LEVEL ?? 'silent',
    // account-events workflow IDs are HMACs under this test-only secret (tests compute them with toAccountEventKey).
    CASCADE_EVENT_KEY_SECRET: 'test-only-e2e-event-key-secret-not-for-real-data',
  };
  return {
    db,
    sqs,
    temporal,
    taskQueue,
    env,
    logger: createTestLogger(),
    config: (overrides = {}, roles = ['bridge', 'worker', 'http']) => loadConfig({ ...env, ...overrides }, roles),
    async close() {
      sqs.destroy();
      await connection.close();
      await db.drop();
    },
  };
}

/** A running in-process Cascade with every outcome recorded, on queues of its own. */
export interface TestCascade {
  readonly app: RunningCascade;
  readonly queues: TestQueues;
  readonly outcomes: OutcomeRecord[];
  /** Sends bodies to this cascade's route queue. */
  send(bodies: readonly string[]): Promise<void>;
  /** Resolves once `count` outcomes matching `predicate` were recorded (rejects after `timeoutMs`). */
  waitForOutcomes(count: number, predicate?: (o: OutcomeRecord) => boolean, timeoutMs?: number): Promise<OutcomeRecord[]>;
}

/**
 * Starts bridge + worker + HTTP in this process. Unless `queues` is given, it
 * gets fresh queues: a stopped bridge's aborted long poll may still take a
 * message server-side, so tests never share a queue with an earlier bridge.
 */
export async function startTestCascade(
  ctx: E2eContext,
  options: { queues?: TestQueues; env?: NodeJS.ProcessEnv; roles?: { bridge: boolean; worker: boolean; http: boolean } } = {},
): Promise<TestCascade> {
  const queues = options.queues ?? (await createTestQueues(ctx.sqs, 'run'));
  const env = {
    CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl,
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    ...options.env,
  };
  const app = await startCascadeProcess(ctx.config(env), options.roles ?? { bridge: true, worker: true, http: true }, ctx.logger);
  const outcomes: OutcomeRecord[] = [];
  app.bridge?.on('outcome', (o) => outcomes.push(o));
  return {
    app,
    queues,
    outcomes,
    send: (bodies) => sendToQueue(ctx.sqs, queues.queueUrl, bodies),
    async waitForOutcomes(count, predicate = () => true, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = outcomes.filter(predicate);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} outcomes; have ${JSON.stringify(outcomes.map((o) => o.outcome))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Sends bodies to a queue, failing on any rejected entry. */
export async function sendToQueue(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  const summary = await sendMessageBodies(sqs, queueUrl, bodies);
  if (summary.failed.length > 0) throw new Error(`send failed: ${JSON.stringify(summary.failed)}`);
}

/** Every message of a queue, read without consuming (visibility restored right away). */
export async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 5; round++) {
    const response = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    for (const m of response.Messages ?? []) if (m.MessageId) seen.set(m.MessageId, m);
  }
  return [...seen.values()];
}

/** Visible + in-flight + delayed messages of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Polls `check` until it returns true (rejects after `timeoutMs`, naming `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Number of workflow executions (all runs) with this ID in the namespace. */
export async function countRuns(client: Client, workflowId: string): Promise<number> {
  let count = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count += 1;
  return count;
}
