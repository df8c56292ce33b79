import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startService, stopService } from '../../src/stack';
import { toDigestEventKey } from '../../src/routes/event-key';
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
    `account-events/${toDigestEventKey({ type: 'reset', email: `${name}@${ISS}`, generation })}`;

  async function assertAllApplied(names: string[], generation: number): Promise<void> {
    const rows = await ctx.db.prisma.user.findMany({ where: { email: { in: names.map((n) => `${n}@${ISS}`) } } });
    assert.equal(rows.length, names.length);
    assert.deepEqual(new Set(rows.map((r) => r.generation)), new Set([BigInt(generation - 1)]));
  }

  async function countWorkflows(taskQueue: string): Promise<number> {
    return (await ctx.temporal.workflow.count(`TaskQueue = '${taskQueue}'`)).count;
  }

  it('when Temporal stops and restarts mid-stream, then /readyz turns unready, and every event runs exactly once after recovery', async () => {
    const { options } = getTestStack();
    const queues = await createTestQueues(ctx.sqs, 'outage', 50);
    const taskQueue = `outage-${randomUUID().slice(0, 8)}`;
    const names = await seedUsers(20);
    const cascade = await startTestCascade(ctx, { queues, env: { TEMPORAL_TASK_QUEUE: taskQueue } });
    let temporalStopped = false;
    try {
      await sendToQueue(ctx.sqs, queues.queueUrl, names.slice(0, 10).map((n) => resetBody(n, 300)));
      await cascade.waitForOutcomes(10, (o) => o.outcome === 'started');

      await stopService('temporal', options);
      temporalStopped = true;
      await sendToQueue(ctx.sqs, queues.queueUrl, names.slice(10).map((n) => resetBody(n, 300)));
      await cascade.waitForOutcomes(1, (o) => o.outcome === 'failed', 120_000);
      const ready = await fetch(`${cascade.app.httpUrl}/readyz`);
      assert.equal(ready.status, 503);
      const report = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      assert.equal(report.checks.temporal?.ok, false);
      assert.equal(report.checks.sqs?.ok, true);

      await startService('temporal', options);
      temporalStopped = false;
      await cascade.waitForOutcomes(20, (o) => o.outcome === 'started' || o.outcome === 'duplicate', 180_000);
      for (const name of names) await ctx.temporal.workflow.getHandle(workflowIdOf(name, 300)).result();
      await assertAllApplied(names, 300);
      assert.equal(await countWorkflows(taskQueue), 20, 'one workflow per event, none twice');
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0);
      assert.equal(await queueDepth(ctx.sqs, queues.deadLetterQueueUrl), 0, 'nothing went to the DLQ');
      await eventually('/readyz is ready again', async () => (await fetch(`${cascade.app.httpUrl}/readyz`)).status === 200);
    } finally {
      if (temporalStopped) await startService('temporal', options);
      await cascade.app.stop();
    }
  });

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
