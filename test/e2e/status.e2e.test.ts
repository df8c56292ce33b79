import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { WorkflowHandle } from '@temporalio/client';
import { quarantineMessage } from '../../src/bridge/quarantine';
import { NO_QUEUE_RETENTION } from '../../src/bridge/dedup-horizon';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import { createSourceResolver } from '../../src/ops/message-source';
import { readQueueDepth } from '../../src/ops/queue-depth';
import { type CascadeStatus, type RouteStatus, ROUTE_QUEUE_AGE_NOTE, readCascadeStatus } from '../../src/ops/queue-status';
import { type E2eContext, type TestQueues, createE2eContext, createTestQueues, eventually } from '../support/e2e-harness';
import { CASCADE_BIN, runCli } from '../support/cli-runner';

describe('`cascade status` end to end', function () {
  this.timeout(180_000);
  let ctx: E2eContext;
  let stateDir: string;
  const started: WorkflowHandle[] = [];

  before(async () => {
    ctx = await createE2eContext('status');
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-status-'));
  });
  after(async () => {
    for (const handle of started) await handle.terminate('test over').catch(() => undefined);
    await ctx?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const envOf = (queues: TestQueues): NodeJS.ProcessEnv => ({
    ...ctx.env,
    CASCADE_STATE_DIR: stateDir,
    CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
  });

  /** Cascades of account-events as Temporal counts them now (other test files leave some behind in the shared namespace). */
  async function countAccountCascades(queues: TestQueues): Promise<{ running: number; failed: number }> {
    const status = await readCascadeStatus({
      sqs: ctx.sqs,
      client: ctx.temporal,
      namespace: ctx.config({}, ['client']).temporal.namespace,
      routes: [{ route: 'account-events', queueUrl: queues.queueUrl }],
      waitingQueues: [],
      resolver: createSourceResolver(ctx.sqs, []),
    });
    const cascades = status.routes[0]?.cascades;
    if (!cascades || 'error' in cascades) throw new Error(`could not count cascades: ${JSON.stringify(cascades)}`);
    return cascades;
  }

  /** Starts an account-events cascade on a task queue nobody polls: it stays Running until terminated. */
  async function startIdleCascade(): Promise<WorkflowHandle> {
    const handle = await ctx.temporal.workflow.start('accountEventsWorkflow', {
      workflowId: `account-events/status-${randomUUID()}`,
      taskQueue: `status-idle-${randomUUID().slice(0, 8)}`,
      args: [{}],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: 'account-events' }],
    });
    started.push(handle);
    return handle;
  }

  it('when messages wait in every queue and cascades run and fail, then status reports the depths, waiting messages, ages and counts per route, consuming nothing', async () => {
    const queues = await createTestQueues(ctx.sqs, 'status', 1);
    const before = await countAccountCascades(queues);
    const testStart = Date.now();

    // A dead letter: the redrive policy (maxReceiveCount 1) moves the message on its second receive.
    await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"event":"dead"}' }));
    await ctx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 0 }));
    await eventually('the message is dead-lettered', async () => {
      await ctx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 0 }));
      return (await readQueueDepth(ctx.sqs, queues.deadLetterQueueUrl)).visible === 1;
    });
    // Two quarantined messages of account-events, one of a route not configured here.
    for (const route of ['account-events', 'account-events', 'legacy-route']) {
      await quarantineMessage(ctx.sqs, queues.quarantineQueueUrl, { message: { MessageId: randomUUID(), Body: '{}' }, sourceQueueUrl: queues.queueUrl, route, reason: 'test' });
    }
    // The route queue: two visible, one in flight, one delayed.
    for (const body of ['{"n":1}', '{"n":2}', '{"n":3}']) await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
    await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"n":4}', DelaySeconds: 120 }));
    await ctx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 120, MaxNumberOfMessages: 1 }));
    // Two running cascades and one terminated (counted as failed).
    await startIdleCascade();
    await startIdleCascade();
    await (await startIdleCascade()).terminate('failed for the test');
    await eventually('Temporal visibility shows the new cascades', async () => {
      const now = await countAccountCascades(queues);
      return now.running === before.running + 2 && now.failed === before.failed + 1;
    }, 30_000);

    const run = await runCli(['status', '--json'], envOf(queues));
    assert.equal(run.code, 0, run.stderr);
    const status = JSON.parse(run.stdout) as CascadeStatus;
    const route = status.routes.find((r) => r.route === 'account-events') as RouteStatus;
    assert.equal(route.queueUrl, queues.queueUrl);
    assert.deepEqual(route.queue, { visible: 2, inFlight: 1, delayed: 1 });
    assert.equal(route.deadLetters.count, 1);
    assert.equal(route.quarantined.count, 2);
    const elapsed = (Date.now() - testStart) / 1000 + 1;
    for (const age of [route.deadLetters.oldestAgeSeconds, route.quarantined.oldestAgeSeconds]) assert.ok(age !== undefined && age >= 0 && age <= elapsed, `age ${String(age)} within ${elapsed}s`);
    assert.deepEqual(route.cascades, { running: before.running + 2, failed: before.failed + 1, stuck: 0, retrying: 0, scanned: before.running + 2, scanComplete: true });
    assert.ok(status.routes.some((r) => r.route === 'tasks'), 'every route with a queue URL is reported (the stack sets them all)');

    const [deadLetter, quarantine] = status.waitingQueues;
    assert.deepEqual([deadLetter?.kind, deadLetter?.read, deadLetter?.complete, deadLetter?.unattributed.count], ['dead-letter', 1, true, 0]);
    assert.deepEqual(deadLetter?.depth, { visible: 1, inFlight: 0, delayed: 0 });
    assert.deepEqual([quarantine?.kind, quarantine?.read, quarantine?.unattributed.count], ['quarantine', 3, 1]);

    assert.ok((status.dedupHorizon.namespaceRetentionSeconds ?? 0) > 0, 'the namespace retention is read from Temporal');
    const horizon = status.dedupHorizon.queues.find((q) => q.queueUrl === queues.queueUrl);
    assert.deepEqual(horizon, { checked: false, queueUrl: queues.queueUrl, reason: NO_QUEUE_RETENTION });
    assert.ok(status.notes.includes(ROUTE_QUEUE_AGE_NOTE));

    assert.deepEqual(await readQueueDepth(ctx.sqs, queues.deadLetterQueueUrl), { visible: 1, inFlight: 0, delayed: 0 }, 'status consumed no dead letter');
    assert.deepEqual(await readQueueDepth(ctx.sqs, queues.quarantineQueueUrl), { visible: 3, inFlight: 0, delayed: 0 });
    assert.deepEqual(await readQueueDepth(ctx.sqs, queues.queueUrl), { visible: 2, inFlight: 1, delayed: 1 }, 'nor received from the route queue');

    const text = await runCli(['status'], envOf(queues));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /route +visible +in flight +delayed +dead letters +oldest +quarantined +oldest +running +stuck +retrying +failed/);
    assert.match(text.stdout, new RegExp(`\\naccount-events +2 +1 +1 +1 +\\d+s +2 +\\d+s +${before.running + 2} +0 +0 +${before.failed + 1}\\n`));
    assert.match(text.stdout, /quarantine queue .*: 3 message\(s\) \(3 visible, 0 in flight, 0 delayed\); read 3; 1 of no configured route/);
    assert.match(text.stdout, /Dedup horizon: namespace \S+ keeps closed runs \d+[dhm]/);
    assert.match(text.stdout, /Note: Route queues show no age of their oldest message/);
  });

  it('when Temporal cannot be reached, then status still reports the queues and says what it could not count, exiting 1', async () => {
    const queues = await createTestQueues(ctx.sqs, 'status-down');
    await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{}' }));
    const run = await runCli(['status', '--json'], { ...envOf(queues), TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(run.code, 1);
    const status = JSON.parse(run.stdout) as CascadeStatus;
    const route = status.routes.find((r) => r.route === 'account-events');
    assert.deepEqual(route?.queue, { visible: 1, inFlight: 0, delayed: 0 });
    assert.ok(route && 'error' in route.cascades, 'the cascade counts carry the error');
    assert.match(status.dedupHorizon.namespaceError ?? '', /could not describe the Temporal namespace/);
  });

  it('when watched (`--watch`, not a terminal), then status writes the view again each time it changes, a line of JSON per change with --json, and Ctrl-C ends it with exit code 0', async () => {
    const queues = await createTestQueues(ctx.sqs, 'status-watch');
    const watch = spawn(process.execPath, [CASCADE_BIN, 'status', '--watch', '--interval', '1', '--json'], { env: envOf(queues), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    watch.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    watch.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.on('exit', resolve));
    const views = (): CascadeStatus[] => stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as CascadeStatus);
    const visibleIn = (status: CascadeStatus): number | undefined => {
      const queue = status.routes.find((r) => r.route === 'account-events')?.queue;
      return queue && !('error' in queue) ? queue.visible : undefined;
    };
    try {
      await eventually('the first view is written', async () => views().length === 1, 60_000);
      assert.equal(visibleIn(views()[0]), 0);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal(views().length, 1, `nothing changed, so nothing more is written: ${stdout}`);
      await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"event":"watched"}' }));
      await eventually('a second view shows the new message', async () => views().length === 2, 60_000);
      assert.equal(visibleIn(views()[1]), 1);
      assert.ok(!stdout.includes('\u001b'), 'no escape codes when stdout is not a terminal');
    } finally {
      watch.kill('SIGINT');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGINT: stopping/);
  });
});
