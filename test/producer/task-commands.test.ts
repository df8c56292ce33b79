import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli-runner';
import { closedPort } from '../support/closed-port';
import { type E2eContext, createE2eContext, createTestQueues, peekQueue } from '../support/e2e-harness';

describe('cascade send-task / send-events / outbox flush (real CLI, ElasticMQ, PostgreSQL)', function () {
  this.timeout(120_000);
  let ctx: E2eContext;
  let dir: string;

  before(async () => {
    ctx = await createE2eContext('task-cli');
    dir = await mkdtemp(path.join(os.tmpdir(), 'cascade-task-cli-'));
  });
  after(async () => {
    await ctx?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when events are sent from a file, then they arrive as event tasks of at most 500 events', async () => {
    const { queueUrl } = await createTestQueues(ctx.sqs, 'task-cli');
    const file = path.join(dir, 'events.jsonl');
    await writeFile(file, Array.from({ length: 501 }, (_, i) => JSON.stringify({ userIds: ['u1'], eventName: `e${i}` })).join('\n'));
    const env = { ...ctx.env, CASCADE_STATE_DIR: dir, CASCADE_QUEUE_URL_TASKS: queueUrl, CASCADE_ROUTES: 'tasks' };
    const result = await runCli(['send-events', file, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { messages: 2, sent: 2, outboxed: 0, failed: [] });
    const sizes = (await peekQueue(ctx.sqs, queueUrl)).map((m) => (JSON.parse(m.Body ?? '{}') as { data: unknown[] }).data.length).sort((a, b) => a - b);
    assert.deepEqual(sizes, [1, 500]);
  });

  it('when SQS is unreachable, then send-task stores the task in the outbox, and outbox flush sends it', async () => {
    const { queueUrl } = await createTestQueues(ctx.sqs, 'task-cli');
    const env = { ...ctx.env, CASCADE_STATE_DIR: dir, CASCADE_QUEUE_URL_TASKS: queueUrl, CASCADE_ROUTES: 'tasks' };
    const down = await runCli(['send-task', 'sendNewsletter', '{"to":"u1"}'], { ...env, AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${await closedPort()}`, AWS_MAX_ATTEMPTS: '2' });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^1 message\(s\): 0 sent to .*; 1 stored in the outbox \(SendMessageBatch failed: .*ECONNREFUSED.*\); `cascade outbox flush` re-sends them\n$/);
    assert.equal(await ctx.db.prisma.outboxMessage.count({ where: { queueUrl } }), 1);

    const planned = await runCli(['outbox', 'flush', '--dry-run', '--json'], env);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = JSON.parse(planned.stdout) as { messages: number; queues: Array<{ queueUrl: string; messages: number }> };
    assert.deepEqual(plan.queues.find((q) => q.queueUrl === queueUrl)?.messages, 1);
    const refused = await runCli(['outbox', 'flush'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to re-send up to \d+ outbox message\(s\) without a terminal/);
    assert.equal(await ctx.db.prisma.outboxMessage.count({ where: { queueUrl } }), 1, 'neither the dry run nor the refusal sent anything');

    const flushed = await runCli(['outbox', 'flush', '--yes', '--json'], env);
    assert.equal(flushed.code, 0, flushed.stderr);
    assert.deepEqual(JSON.parse(flushed.stdout), { sent: 1, remaining: 0, failures: [] });
    const bodies = (await peekQueue(ctx.sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '') as { action: string; data: unknown; task_id: string });
    assert.equal(bodies.length, 1);
    assert.deepEqual({ action: bodies[0]?.action, data: bodies[0]?.data }, { action: 'sendNewsletter', data: { to: 'u1' } });
    assert.match(bodies[0]?.task_id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'the task keeps the ID it was given when first sent');
  });

  it('when the task data is invalid for its handler, then nothing is sent and the CLI says why', async () => {
    const { queueUrl } = await createTestQueues(ctx.sqs, 'task-cli');
    const env = { ...ctx.env, CASCADE_STATE_DIR: dir, CASCADE_QUEUE_URL_TASKS: queueUrl, CASCADE_ROUTES: 'tasks' };
    const result = await runCli(['send-task', 'event', '[{"eventName":"n"}]'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /invalid event task: data\[0\]\.userIds: is required/);
    const notJson = await runCli(['send-task', 'event', '{oops'], env);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /data-json is not valid JSON/);
    assert.deepEqual(await peekQueue(ctx.sqs, queueUrl), []);
  });
});
