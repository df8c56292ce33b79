import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import os from 'node:os';
import path from 'node:path';
import { toMessageBodies } from '../../src/cli/commands/send-command';
import { type E2eContext, createE2eContext, createTestQueues, peekQueue } from '../support/e2e-harness';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cascade.js');

/** Runs the real CLI as a child process. */
function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe('cascade CLI', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let stateDir: string;

  before(async () => {
    ctx = await createE2eContext('cli');
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-cli-'));
  });
  after(async () => {
    await ctx?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const env = () => ({ ...ctx.env, CASCADE_STATE_DIR: stateDir });

  it('when asked for help, then every command is listed', async () => {
    const { code, stdout } = await runCli(['--help'], env());
    assert.equal(code, 0);
    for (const command of ['start', 'bridge', 'worker', 'dev', 'stack', 'db', 'send', 'demo', 'init']) assert.match(stdout, new RegExp(`\\n  ${command}\\b`));
  });

  it('when the configuration is invalid, then it exits 2 naming each variable', async () => {
    const { code, stderr } = await runCli(['worker'], { ...env(), DATABASE_URL: '', TEMPORAL_ADDRESS: 'bad address' });
    assert.equal(code, 2);
    assert.match(stderr, /TEMPORAL_ADDRESS: must be host:port/);
  });

  it('when bodies are given as lines or a JSON array, then each is one message', () => {
    assert.deepEqual(toMessageBodies('{"a":1}\n\n{"b":2}\n'), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(toMessageBodies('[{"a":1}, "raw text"]'), ['{"a":1}', 'raw text']);
    assert.deepEqual(toMessageBodies('[not json\nsecond'), ['[not json', 'second']);
  });

  it('when `send` reads stdin, then the bodies land on the route queue', async () => {
    const marker = randomUUID();
    const queues = await createTestQueues(ctx.sqs, 'send');
    const { code, stdout } = await runCli(['send', 'account-events', '-', '--json'], { ...env(), CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl }, `{"event":"delete","uid":"${marker}@x"}\nnot json ${marker}\n`);
    assert.equal(code, 0);
    assert.equal((JSON.parse(stdout) as { sent: number }).sent, 2);
    const bodies = (await peekQueue(ctx.sqs, queues.queueUrl)).map((m) => m.Body ?? '');
    assert.equal(bodies.filter((b) => b.includes(marker)).length, 2);
  });

  it('when `send` names an unknown route or file, then it fails clearly', async () => {
    const unknown = await runCli(['send', 'nope', '-'], env());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown route "nope"/);
    const file = path.join(stateDir, 'missing.jsonl');
    const missing = await runCli(['send', 'account-events', file], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT|no such file/);
  });

  it('when `demo` runs, then every kind of outcome shows and the user rows reflect the cascades', async () => {
    const demoQueues = await createTestQueues(ctx.sqs, 'demo');
    const { code, stdout, stderr } = await runCli(['demo', '--json'], {
      ...env(),
      CASCADE_QUEUE_URL_ACCOUNT_EVENTS: demoQueues.queueUrl,
      CASCADE_QUARANTINE_QUEUE_URL: demoQueues.quarantineQueueUrl,
      TEMPORAL_TASK_QUEUE: `demo-${randomUUID().slice(0, 8)}`,
    });
    assert.equal(code, 0, stderr);
    const { routes } = JSON.parse(stdout) as { routes: Array<{ route: string; outcomes: Array<{ message: string; outcome: string; detail: string }>; effects: { header: string[]; rows: string[][] } }> };
    assert.deepEqual(routes.map((r) => r.route), ['account-events']);
    const [result] = routes;
    const outcomeOf = (label: string) => result?.outcomes.find((o) => o.message.startsWith(label))?.outcome;
    assert.equal(outcomeOf('delete alice again'), 'duplicate');
    assert.equal(outcomeOf('delete alice'), 'completed');
    assert.equal(outcomeOf('reset bob'), 'completed');
    assert.equal(outcomeOf('passwordChange carol via SNS'), 'completed');
    assert.equal(outcomeOf('subscription:update'), 'ignored');
    assert.equal(outcomeOf('garbage'), 'quarantined');
    assert.equal(outcomeOf('reset without generation'), 'quarantined');
    assert.equal(outcomeOf('delete with legacy uid'), 'quarantined');
    assert.equal(outcomeOf('passwordChange bob'), 'completed');
    assert.deepEqual(result?.effects.header, ['uid', 'email', 'generation', 'replaced_at']);
    const users = (result?.effects.rows ?? []).map(([, email, generation]) => ({ email: email ?? '', generation }));
    const bob = users.find((u) => u.email.startsWith('bob'));
    assert.equal(bob?.generation, '99', 'whichever of reset 100 / passwordChange 50 ran first, the generation ends at 100 - 1');
    const alice = users.filter((u) => u.email.startsWith('alice'));
    assert.deepEqual(alice.map((u) => u.generation), ['10', '9223372036854775807']);
  });

  it('when `init` runs twice against SQS and Temporal, then it creates the queues with redrive and search attributes, then only re-applies', async () => {
    const suffix = randomUUID().slice(0, 8);
    const queuesFile = path.join(stateDir, 'queues.json');
    await writeFile(
      queuesFile,
      JSON.stringify({
        deadLetterQueue: `init-dlq-${suffix}`,
        quarantineQueue: `init-quarantine-${suffix}`,
        maxReceiveCount: 7,
        visibilityTimeoutSeconds: 45,
        messageRetentionSeconds: 86400,
        routes: { 'account-events': { queue: `init-account-events-${suffix}` } },
      }),
    );
    const first = await runCli(['init', '--queues', queuesFile, '--json'], env());
    assert.equal(first.code, 0, first.stderr);
    const created = JSON.parse(first.stdout) as { queues: Array<{ name: string; url: string; action: string; variable: string }>; searchAttributes: Array<{ name: string; action: string }> };
    assert.deepEqual(created.queues.map((q) => q.action), ['created', 'created', 'created']);
    assert.deepEqual(created.searchAttributes.map((a) => a.action), ['exists', 'exists', 'exists', 'exists'], 'the stack registered them already');
    const routeQueue = created.queues.find((q) => q.variable === 'CASCADE_QUEUE_URL_ACCOUNT_EVENTS');
    const { Attributes } = await ctx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: routeQueue?.url, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    assert.match(redrive.deadLetterTargetArn ?? '', new RegExp(`init-dlq-${suffix}$`));
    assert.equal(Number(redrive.maxReceiveCount), 7);
    assert.equal(Attributes?.VisibilityTimeout, '45');

    const second = await runCli(['init', '--queues', queuesFile, '--json'], env());
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as typeof created).queues.map((q) => q.action), ['updated', 'updated', 'updated']);
  });

  it('when `stack env` runs where no stack was brought up, then it says how to start one', async () => {
    const { code, stderr } = await runCli(['stack', 'env'], env());
    assert.equal(code, 1);
    assert.match(stderr, /run `cascade stack up` first/);
  });
});

