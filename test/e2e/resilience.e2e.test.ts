import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startService, stopService } from '../../src/stack';
import { loadQueueConfig } from '../../src/stack/queue-config';
import { toAccountEventKey } from '../../src/routes/account-events';
import {
  type E2eContext,
  createE2eContext,
  createTestQueues,
  eventually,
  queueDepth,
  sendToQueue,
  startTestCascade,
} from '../support/e2e-harness';
import { getTestStack } from '../support/test-stack';

const ISS = 'api.accounts.firefox.com';

describe('resilience end to end: nothing is lost', function () {
  this.timeout(300_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('resilience');
  });
  after(async () => {
    await ctx?.close();
  });

  async function seedUsers(count: number): Promise<string[]> {
    const names = Array.from({ length: count }, () => `u${randomUUID().replace(/-/g, '')}`);
    await ctx.db.prisma.user.createMany({ data: names.map((n) => ({ email: `${n}@${ISS}`, generation: 1n, clientState: 'cs', createdAt: 1n })) });
    return names;
  }
  const resetBody = (name: string, generation: number) => JSON.stringify({ event: 'reset', uid: name, iss: ISS, generation });
  const workflowIdOf = (name: string, generation: number) =>
    `account-events/${toAccountEventKey({ type: 'reset', email: `${name}@${ISS}`, generation }, ctx.config({}, []).accountEvents.eventKeySecret)}`;

  async function assertAllApplied(names: string[], generation: number): Promise<void> {
    const rows = await ctx.db.prisma.user.findMany({ where: { email: { in: names.map((n) => `${n}@${ISS}`) } } });
    assert.equal(rows.length, names.length);
    assert.deepEqual(new Set(rows.map((r) => r.generation)), new Set([BigInt(generation - 1)]));
  }

  async function countWorkflows(taskQueue: string): Promise<number> {
    return (await ctx.temporal.workflow.count(`TaskQueue = '${taskQueue}'`)).count;
  }

  it('when Temporal is down longer than maxReceiveCount failed receives would last, then the bridge pauses intake, nothing reaches the DLQ, and every event runs exactly once after it returns', async function () {
    this.timeout(360_000);
    const { options } = getTestStack();
    // The shipped redrive policy: the old bridge dead-lettered every waiting message of an outage longer than ~5 receives.
    const { maxReceiveCount } = loadQueueConfig();
    assert.equal(maxReceiveCount, 5);
    const queues = await createTestQueues(ctx.sqs, 'outage', maxReceiveCount);
    const taskQueue = `outage-${randomUUID().slice(0, 8)}`;
    const names = await seedUsers(20);
    // ctx.env: 2 s long polls, failure back-off 1 s doubling to 2 s, starts time out after 10 s.
    const cascade = await startTestCascade(ctx, { queues, env: { TEMPORAL_TASK_QUEUE: taskQueue } });
    const metric = async (name: string) => cascade.app.metrics.registry.getSingleMetricAsString(name);
    let temporalStopped = false;
    try {
      await sendToQueue(ctx.sqs, queues.queueUrl, names.slice(0, 10).map((n) => resetBody(n, 300)));
      await cascade.waitForOutcomes(10, (o) => o.outcome === 'started');

      await stopService('temporal', options);
      temporalStopped = true;
      await sendToQueue(ctx.sqs, queues.queueUrl, names.slice(10).map((n) => resetBody(n, 300)));
      const [firstFailure] = await cascade.waitForOutcomes(1, (o) => o.outcome === 'failed', 120_000);
      assert.match(firstFailure?.reason ?? '', /Temporal unavailable, intake paused/);
      assert.equal(cascade.app.bridge?.intakePaused, true);
      assert.match(await metric('cascade_bridge_intake_paused'), /^cascade_bridge_intake_paused 1$/m);
      const ready = await fetch(`${cascade.app.httpUrl}/readyz`);
      assert.equal(ready.status, 503);
      const report = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      assert.equal(report.checks.temporal?.ok, false);
      assert.equal(report.checks.sqs?.ok, true);

      // Old bridge: one receive per start timeout (10 s) + back-off (≤ 2 s), so 6 receives (→ DLQ) within ~65 s.
      const outageMs = (maxReceiveCount + 2) * (10 + 2) * 1000;
      await new Promise((r) => setTimeout(r, outageMs));
      assert.equal(cascade.app.bridge?.intakePaused, true, 'still paused while Temporal is down');
      assert.equal(await queueDepth(ctx.sqs, queues.deadLetterQueueUrl), 0, 'nothing went to the DLQ during the outage');
      // One look at the waiting messages (the look itself is one receive): each was received at most once by the bridge.
      const waiting = await receiveOnceWithoutConsuming(queues.queueUrl);
      assert.ok(waiting.length > 0, 'the unstarted events wait on the queue');
      for (const m of waiting) assert.ok(Number(m.Attributes?.ApproximateReceiveCount) <= 2, `receive count ${m.Attributes?.ApproximateReceiveCount} of ${m.MessageId}`);
      assert.equal(cascade.outcomes.filter((o) => o.outcome === 'failed').length <= 10, true, 'each waiting event failed at most once');

      await startService('temporal', options);
      temporalStopped = false;
      await cascade.waitForOutcomes(20, (o) => o.outcome === 'started' || o.outcome === 'duplicate', 180_000);
      for (const name of names) await ctx.temporal.workflow.getHandle(workflowIdOf(name, 300)).result();
      await assertAllApplied(names, 300);
      assert.equal(await countWorkflows(taskQueue), 20, 'one workflow per event, none twice');
      const answered = cascade.outcomes.filter((o) => o.outcome === 'started' || o.outcome === 'duplicate');
      for (const o of answered) assert.ok(o.receiveCount <= 3, `receive count ${o.receiveCount} of ${o.messageId} when started`);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0);
      assert.equal(await queueDepth(ctx.sqs, queues.deadLetterQueueUrl), 0, 'nothing went to the DLQ');
      assert.equal(cascade.app.bridge?.intakePaused, false);
      assert.match(await metric('cascade_bridge_intake_paused'), /^cascade_bridge_intake_paused 0$/m);
      assert.match(await metric('cascade_bridge_intake_pauses_total'), /cascade_bridge_intake_pauses_total [1-9]/);
      assert.match(await metric('cascade_bridge_temporal_probes_total'), /result="unavailable"\} [1-9]/);
      await eventually('/readyz is ready again', async () => (await fetch(`${cascade.app.httpUrl}/readyz`)).status === 200);
    } finally {
      if (temporalStopped) await startService('temporal', options);
      await cascade.app.stop();
    }
  });

  /** One receive that leaves the messages visible; it counts one receive for each message it returns. */
  async function receiveOnceWithoutConsuming(queueUrl: string): Promise<Message[]> {
    const response = await ctx.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    return response.Messages ?? [];
  }

  it('when two bridges and a separate worker share the queue and task queue, then every event runs exactly once', async () => {
    const queues = await createTestQueues(ctx.sqs, 'scale');
    const taskQueue = `scale-${randomUUID().slice(0, 8)}`;
    const env = { TEMPORAL_TASK_QUEUE: taskQueue, CASCADE_WAIT_TIME_SECONDS: '1' };
    const names = await seedUsers(40);
    const worker = await startTestCascade(ctx, { queues, env, roles: { bridge: false, worker: true, http: false } });
    const bridges = [
      await startTestCascade(ctx, { queues, env, roles: { bridge: true, worker: false, http: false } }),
      await startTestCascade(ctx, { queues, env, roles: { bridge: true, worker: false, http: false } }),
    ];
    try {
      await sendToQueue(ctx.sqs, queues.queueUrl, names.map((n) => resetBody(n, 70)));
      await eventually('both bridges together answered every message', async () => bridges.reduce((sum, b) => sum + b.outcomes.length, 0) >= names.length, 120_000);
      for (const name of names) await ctx.temporal.workflow.getHandle(workflowIdOf(name, 70)).result();
      await assertAllApplied(names, 70);
      assert.equal(await countWorkflows(taskQueue), names.length);
      const outcomes = bridges.flatMap((b) => b.outcomes.map((o) => o.outcome));
      assert.equal(outcomes.filter((o) => o === 'started').length, names.length);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0);
    } finally {
      for (const b of bridges) await b.app.stop();
      await worker.app.stop();
    }
  });

  it('when SQS goes away, then /readyz turns unready, the bridge backs off, and it resumes on its own when SQS is back', async () => {
    const { options, endpoints } = getTestStack();
    // ElasticMQ keeps queues in memory: after a restart only the configured queues exist, so this test uses the stack's own.
    const queues = {
      queueUrl: endpoints.CASCADE_QUEUE_URL_ACCOUNT_EVENTS ?? '',
      quarantineQueueUrl: endpoints.CASCADE_QUARANTINE_QUEUE_URL ?? '',
      deadLetterQueueUrl: endpoints.CASCADE_DEAD_LETTER_QUEUE_URL ?? '',
    };
    const names = await seedUsers(3);
    const cascade = await startTestCascade(ctx, { queues, env: { CASCADE_WAIT_TIME_SECONDS: '1' } });
    let sqsStopped = false;
    try {
      await cascade.send([resetBody(names[0] ?? '', 40)]);
      await cascade.waitForOutcomes(1, (o) => o.outcome === 'started');

      await stopService('elasticmq', options);
      sqsStopped = true;
      await eventually('the bridge notices', async () => !(cascade.app.bridge?.health().sqs ?? true), 30_000);
      const ready = await fetch(`${cascade.app.httpUrl}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.sqs?.ok, false);

      await startService('elasticmq', options);
      sqsStopped = false;
      await cascade.send(names.slice(1).map((n) => resetBody(n, 40)));
      await cascade.waitForOutcomes(3, (o) => o.outcome === 'started', 90_000);
      for (const name of names) await ctx.temporal.workflow.getHandle(workflowIdOf(name, 40)).result();
      await assertAllApplied(names, 40);
      await eventually('/readyz is ready again', async () => (await fetch(`${cascade.app.httpUrl}/readyz`)).status === 200);
      const errors = await cascade.app.metrics.registry.getSingleMetricAsString('cascade_sqs_errors_total');
      assert.match(errors, /cascade_sqs_errors_total\{operation="ReceiveMessage"\} [1-9]/);
    } finally {
      if (sqsStopped) await startService('elasticmq', options);
      await cascade.app.stop();
    }
  });

  it('when `cascade start` gets SIGTERM under load, then it exits 0 and every event still runs exactly once', async () => {
    const queues = await createTestQueues(ctx.sqs, 'sigterm');
    const taskQueue = `sigterm-${randomUUID().slice(0, 8)}`;
    const env = { CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl, CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl, TEMPORAL_TASK_QUEUE: taskQueue };
    const names = await seedUsers(200);
    await sendToQueue(ctx.sqs, queues.queueUrl, names.map((n) => resetBody(n, 900)));

    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', '..', 'bin', 'cascade.js'), 'start'], {
      env: { ...ctx.env, ...env, LOG_LEVEL: 'info', CASCADE_SHUTDOWN_GRACE_MS: '10000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = countLogLines(child, 'message started');
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually('the child started some workflows', async () => started() >= 20, 120_000);
    child.kill('SIGTERM');
    const code = await exit;
    assert.equal(code, 0, `cascade start exited ${String(code)}; stderr: ${stderr}`);
    assert.ok(started() < names.length, 'the signal arrived mid-stream');

    // The child's aborted long poll may hold a message server-side for its wait time; that message comes back after the visibility timeout.
    const cascade = await startTestCascade(ctx, { queues, env: { TEMPORAL_TASK_QUEUE: taskQueue } });
    try {
      await eventually('the queue is drained', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0, 180_000);
      for (const name of names) await ctx.temporal.workflow.getHandle(workflowIdOf(name, 900)).result();
      await assertAllApplied(names, 900);
      assert.equal(await countWorkflows(taskQueue), names.length, 'one workflow per event, none twice');
      assert.equal(await queueDepth(ctx.sqs, queues.deadLetterQueueUrl), 0);
    } finally {
      await cascade.app.stop();
    }
  });
});

/** Counts JSON log lines of a child whose `msg` is `message`. */
function countLogLines(child: ChildProcess, message: string): () => number {
  let count = 0;
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      try {
        if ((JSON.parse(line) as { msg?: string }).msg === message) count += 1;
      } catch {
        // Not a JSON log line (e.g. a warning printed by a dependency).
      }
    }
  });
  return () => count;
}
