import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { quarantineMessage } from '../../src/bridge/quarantine';
import { environmentSchema } from '../../src/config';
import type { DeadLetterDetail, DeadLetterListing } from '../../src/ops/dead-letters';
import { readQueueDepth } from '../../src/ops/queue-depth';
import type { RedriveSummary } from '../../src/ops/redrive';
import { toAccountEventKey } from '../../src/routes/account-events';
import { TXMA_PURGE_SCHEDULE_ID } from '../../src/txma/purge-schedule';
import { type E2eContext, type TestQueues, countRuns, createE2eContext, createTestQueues, eventually, peekQueue, queueDepth, startTestCascade } from '../support/e2e-harness';
import { runCli } from '../support/cli-runner';

const ISS = 'api.accounts.firefox.com';
/** A bridge's aborted long poll may still take a message server-side for its wait time (CASCADE_WAIT_TIME_SECONDS=2 in tests). */
const LONG_POLL_DRAIN_MS = 3000;

describe('dead letters and quarantine end to end: `cascade dlq list|show|redrive`', function () {
  this.timeout(300_000);
  let ctx: E2eContext;
  let stateDir: string;

  before(async () => {
    ctx = await createE2eContext('dead_letters');
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-dlq-'));
  });
  after(async () => {
    // An audit-events worker created the purge schedule on this file's task queue; leave nothing firing behind.
    await ctx?.temporal.schedule.getHandle(TXMA_PURGE_SCHEDULE_ID).delete().catch(() => undefined);
    await ctx?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  /** The CLI's environment: the test stack, and this test's queues as the route, dead-letter and quarantine queues. */
  const cliEnv = (queues: TestQueues, route: string): NodeJS.ProcessEnv => ({
    ...ctx.env,
    CASCADE_STATE_DIR: stateDir,
    [`CASCADE_QUEUE_URL_${route.toUpperCase().replace(/-/g, '_')}`]: queues.queueUrl,
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
  });

  async function runJson<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
    const run = await runCli([...args, '--json'], env);
    assert.equal(run.code, 0, `cascade ${args.join(' ')} exited ${String(run.code)}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  }

  it('when poison messages were quarantined and a fix is deployed, then `dlq redrive` sends them back, each is stored exactly once, and a redrive of a leftover copy changes nothing', async () => {
    const queues = await createTestQueues(ctx.sqs, 'poison');
    const session = randomUUID();
    const poison = [0, 1, 2].map((i) => ({ event_name: 'AUTH_MFA_CODE_SENT', event_id: `mfa-${randomUUID()}`, timestamp: 1764000100 + i, user: { session_id: session } }));
    const good = { event_name: 'AUTH_LOG_IN_SUCCESS', event_id: `login-${randomUUID()}`, timestamp: 1764000000, user: { session_id: session } };
    const routeEnv = { CASCADE_ROUTES: 'audit-events', CASCADE_QUEUE_URL_AUDIT_EVENTS: queues.queueUrl };
    const env = cliEnv(queues, 'audit-events');

    const old = await startTestCascade(ctx, { queues, env: routeEnv });
    try {
      await old.send([...poison, good].map((e) => JSON.stringify(e)));
      const outcomes = await old.waitForOutcomes(4);
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['rejected', 'rejected', 'rejected', 'started']);
    } finally {
      await old.app.stop();
    }
    const stoppedAt = Date.now();

    const { queues: listed } = await runJson<{ queues: DeadLetterListing[] }>(['dlq', 'list', '--queue', 'quarantine'], env);
    assert.deepEqual(listed.map((l) => l.queue), ['quarantine']);
    const messages = listed[0]?.messages ?? [];
    assert.equal(messages.length, 3);
    for (const message of messages) {
      assert.match(message.reason, /^event_name: "AUTH_MFA_CODE_SENT" is not an allowed TxMA event/);
      assert.equal(message.route, 'audit-events');
      assert.deepEqual(message.source, { known: true, queueUrl: queues.queueUrl, route: 'audit-events', evidence: 'cascade.source-queue' });
    }
    const human = await runCli(['dlq', 'list', '--queue', 'quarantine'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^quarantine queue .*: about 3 message\(s\)\nmessage ID +route +source +receives +age +reason/);

    const shown = await runJson<DeadLetterDetail>(['dlq', 'show', messages[0]?.messageId ?? '', '--queue', 'quarantine'], env);
    assert.equal(shown.route, 'audit-events');
    assert.ok(poison.some((e) => JSON.stringify(e) === shown.body), 'the body as it was sent');
    assert.equal(shown.messageAttributes['cascade.reason']?.stringValue, messages[0]?.reason);
    const bySourceId = await runJson<DeadLetterDetail>(['dlq', 'show', shown.sourceMessageId ?? ''], env);
    assert.equal(bySourceId.messageId, shown.messageId, 'found by the ID it had on the route queue too');
    const missing = await runCli(['dlq', 'show', 'no-such-message'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no message no-such-message in /);

    const refused = await runCli(['dlq', 'redrive', '--queue', 'quarantine'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to redrive every message of the quarantine queue \(about 3\) .* without a terminal to confirm on\nPass --yes/);
    const dryRun = await runJson<RedriveSummary>(['dlq', 'redrive', '--queue', 'quarantine', '--dry-run'], env);
    assert.deepEqual([dryRun.dryRun, dryRun.wouldRedrive, dryRun.redriven, dryRun.skipped], [true, 3, 0, 0]);
    assert.ok(dryRun.entries.every((e) => e.destination?.queueUrl === queues.queueUrl));
    assert.equal((await peekQueue(ctx.sqs, queues.quarantineQueueUrl)).length, 3, 'neither the refusal nor the dry run moved anything');
    assert.equal(await queueDepth(ctx.sqs, queues.queueUrl), 0);

    // The fix: AUTH_MFA_CODE_SENT becomes an allowed event name.
    await sleep(Math.max(0, stoppedAt + LONG_POLL_DRAIN_MS - Date.now()));
    const allowed = `${environmentSchema.shape.CASCADE_TXMA_EVENT_NAMES.parse(undefined)},AUTH_MFA_CODE_SENT`;
    const fixed = await startTestCascade(ctx, { queues, env: { ...routeEnv, CASCADE_TXMA_EVENT_NAMES: allowed } });
    try {
      const redriven = await runJson<RedriveSummary>(['dlq', 'redrive', '--queue', 'quarantine', '--yes'], env);
      assert.deepEqual([redriven.redriven, redriven.skipped, redriven.failed], [3, 0, 0]);
      const started = await fixed.waitForOutcomes(3, (o) => o.outcome === 'started');
      await Promise.all(started.map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result()));
      const rows = await ctx.db.prisma.txmaEvent.findMany({ where: { pk: `SESSION#${session}` }, orderBy: { sk: 'asc' } });
      assert.deepEqual(rows.map((r) => r.event), [good, ...poison].sort((a, b) => toSortKey(a).localeCompare(toSortKey(b))));
      assert.equal(await queueDepth(ctx.sqs, queues.quarantineQueueUrl), 0, 'quarantine is empty');

      const again = await runCli(['dlq', 'redrive', '--queue', 'quarantine', '--yes'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^redriven 0, skipped 0, failed 0$/m);

      // A copy left behind (as when a delete after the send failed) is redriven too: Temporal answers it as a duplicate.
      const leftover = { MessageId: randomUUID(), Body: JSON.stringify(poison[0]) };
      await quarantineMessage(ctx.sqs, queues.quarantineQueueUrl, { message: leftover, sourceQueueUrl: queues.queueUrl, route: 'audit-events', reason: 'left behind' });
      const once = await runJson<RedriveSummary>(['dlq', 'redrive', '--yes'], env);
      assert.equal(once.redriven, 1);
      await fixed.waitForOutcomes(1, (o) => o.outcome === 'duplicate');
      for (const event of poison) assert.equal(await countRuns(ctx.temporal, `audit-events/${event.event_id}`), 1, 'one run per event');
      assert.equal(await ctx.db.prisma.txmaEvent.count({ where: { pk: `SESSION#${session}` } }), 4, 'no row twice');
      await eventually('both queues are empty', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) + (await queueDepth(ctx.sqs, queues.quarantineQueueUrl)) === 0);
    } finally {
      await fixed.app.stop();
    }
  });

  it('when starts failed until maxReceiveCount (a namespace that does not exist), then `dlq list` shows the dead letter without consuming it, and `dlq redrive` (by its source, or --to) gets it processed exactly once', async () => {
    const queues = await createTestQueues(ctx.sqs, 'unreachable', 2);
    const [moved = '', direct = ''] = [`u${randomUUID().replace(/-/g, '')}`, `u${randomUUID().replace(/-/g, '')}`];
    await ctx.db.prisma.user.createMany({ data: [moved, direct].map((n) => ({ email: `${n}@${ISS}`, generation: 1n, clientState: 'cs', createdAt: 1n })) });
    const resetBody = (name: string) => JSON.stringify({ event: 'reset', uid: name, iss: ISS, generation: 500 });
    const secret = ctx.config({}, []).accountEvents.eventKeySecret;
    const workflowIdOf = (name: string) => `account-events/${toAccountEventKey({ type: 'reset', email: `${name}@${ISS}`, generation: 500 }, secret)}`;
    const env = cliEnv(queues, 'account-events');

    const broken = await startTestCascade(ctx, {
      queues,
      // Temporal answers, but every start is refused (NOT_FOUND) and the message comes back immediately. (An unreachable
      // Temporal would not do: the bridge pauses intake then, so receive counts do not grow.)
      env: { TEMPORAL_NAMESPACE: `missing-${randomUUID()}`, CASCADE_FAILURE_BACKOFF_SECONDS: '0', CASCADE_FAILURE_BACKOFF_MAX_SECONDS: '0' },
      roles: { bridge: true, worker: false, http: false },
    });
    try {
      await broken.send([resetBody(moved)]);
      await eventually('SQS moved the message to the dead-letter queue', async () => (await readQueueDepth(ctx.sqs, queues.deadLetterQueueUrl)).visible === 1, 120_000);
      assert.ok(broken.outcomes.filter((o) => o.outcome === 'failed').length >= 2, 'it failed on each of its maxReceiveCount receives');
    } finally {
      await broken.app.stop();
    }
    const stoppedAt = Date.now();
    // A message put on the dead-letter queue by hand: SQS records no source for it.
    await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MessageBody: resetBody(direct) }));

    const { queues: listed } = await runJson<{ queues: DeadLetterListing[] }>(['dlq', 'list', '--queue', 'dead-letter'], env);
    const letters = listed[0]?.messages ?? [];
    assert.equal(letters.length, 2);
    const movedLetter = letters.find((l) => l.source.known);
    assert.deepEqual(movedLetter?.source, { known: true, queueUrl: queues.queueUrl, route: 'account-events', evidence: 'DeadLetterQueueSourceArn' });
    assert.ok((movedLetter?.receiveCount ?? 0) >= 2, 'the failed receives on the route queue count');
    const directLetter = letters.find((l) => !l.source.known);
    assert.match(directLetter?.source.known === false ? directLetter.source.reason : '', /no DeadLetterQueueSourceArn attribute/);
    assert.deepEqual(await readQueueDepth(ctx.sqs, queues.deadLetterQueueUrl), { visible: 2, inFlight: 0, delayed: 0 }, 'listing consumed nothing');

    await sleep(Math.max(0, stoppedAt + LONG_POLL_DRAIN_MS - Date.now()));
    const healthy = await startTestCascade(ctx, { queues });
    try {
      const bySource = await runJson<RedriveSummary>(['dlq', 'redrive', '--queue', 'dead-letter', '--yes'], env);
      assert.deepEqual([bySource.redriven, bySource.skipped, bySource.failed], [1, 1, 0]);
      assert.match(bySource.entries.find((e) => e.outcome === 'skipped')?.reason ?? '', /source queue unknown .*pass --to <route>/);
      await ctx.temporal.workflow.getHandle(workflowIdOf(moved)).result();
      assert.equal((await readQueueDepth(ctx.sqs, queues.deadLetterQueueUrl)).visible, 1, 'the one of unknown source stays');

      const withTo = await runCli(['dlq', 'redrive', '--queue', 'dead-letter', '--to', 'account-events', '--yes'], env);
      assert.equal(withTo.code, 0, withTo.stderr);
      assert.match(withTo.stdout, /^redriven 1, skipped 0, failed 0$/m);
      await ctx.temporal.workflow.getHandle(workflowIdOf(direct)).result();

      const nothing = await runJson<RedriveSummary>(['dlq', 'redrive', '--yes'], env);
      assert.equal(nothing.redriven + nothing.skipped + nothing.failed, 0);
      const users = await ctx.db.prisma.user.findMany({ where: { email: { in: [moved, direct].map((n) => `${n}@${ISS}`) } } });
      assert.deepEqual(users.map((u) => u.generation), [499n, 499n]);
      assert.equal(await countRuns(ctx.temporal, workflowIdOf(moved)), 1);
      assert.equal(await countRuns(ctx.temporal, workflowIdOf(direct)), 1);
      await eventually('the route queue is drained', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0);
      assert.equal(await queueDepth(ctx.sqs, queues.deadLetterQueueUrl), 0);
    } finally {
      await healthy.app.stop();
    }
  });
});

function toSortKey(event: { event_name: string; timestamp: number }): string {
  return `TXMA#EVENT_NAME#${event.event_name}#TIMESTAMP#${event.timestamp}`;
}
