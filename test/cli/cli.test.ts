import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import os from 'node:os';
import path from 'node:path';
import { createS3Client } from '../../src/app/destination-clients';
import { toMessageBodies } from '../../src/cli/commands/send-command';
import { toQueueUrlVariable } from '../../src/routes/route-names';
import { runCli } from '../support/cli-runner';
import { type E2eContext, createE2eContext, createTestQueues, peekQueue } from '../support/e2e-harness';

describe('cascade CLI', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let stateDir: string;
  let s3: S3Client;

  before(async () => {
    ctx = await createE2eContext('cli');
    s3 = createS3Client(ctx.config({}, ['client']));
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-cli-'));
  });
  after(async () => {
    s3?.destroy();
    await ctx?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const env = () => ({ ...ctx.env, CASCADE_STATE_DIR: stateDir });

  it('when asked for help, then every command is listed', async () => {
    const { code, stdout } = await runCli(['--help'], env());
    assert.equal(code, 0);
    for (const command of ['start', 'bridge', 'worker', 'dev', 'stack', 'db', 'send', 'send-task', 'send-events', 'outbox', 'demo', 'init', 'failed', 'show', 'rerun', 'reset', 'dlq', 'status']) assert.match(stdout, new RegExp(`\\n  ${command}\\b`));
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

  it('when `demo` runs, then all five routes show every kind of outcome and their effects', async () => {
    const routeQueues: Record<string, string> = {};
    let quarantineQueueUrl = '';
    for (const route of ['account-events', 'entity-deleted', 'email-archive', 'audit-events', 'tasks']) {
      const queues = await createTestQueues(ctx.sqs, `demo-${route}`);
      routeQueues[toQueueUrlVariable(route)] = queues.queueUrl;
      quarantineQueueUrl ||= queues.quarantineQueueUrl;
    }
    const { code, stdout, stderr } = await runCli(['demo', '--json', '--timeout', '150'], {
      ...env(),
      ...routeQueues,
      CASCADE_ROUTES: '',
      CASCADE_QUARANTINE_QUEUE_URL: quarantineQueueUrl,
      TEMPORAL_TASK_QUEUE: `demo-${randomUUID().slice(0, 8)}`,
    });
    assert.equal(code, 0, stderr);
    type DemoRoute = { route: string; outcomes: Array<{ message: string; outcome: string; detail: string }>; effects: { header: string[]; rows: string[][] } };
    const { routes } = JSON.parse(stdout) as { routes: DemoRoute[] };
    assert.deepEqual(routes.map((r) => r.route), ['account-events', 'entity-deleted', 'email-archive', 'audit-events', 'tasks']);
    const of = (route: string) => routes.find((r) => r.route === route);
    const outcomesOf = (route: string) => Object.fromEntries((of(route)?.outcomes ?? []).map((o) => [o.message, o.outcome]));
    assert.deepEqual(outcomesOf('entity-deleted'), {
      'deal deleted (1,200 documents)': 'completed',
      'deal deleted again (re-sent)': 'duplicate',
      'issuer deleted (no documents)': 'completed',
      'entity.updated (not handled)': 'ignored',
      'unknown entity type': 'ignored',
      'entity_id not a UUID': 'quarantined',
      'no event_id': 'quarantined',
    });
    assert.deepEqual(of('entity-deleted')?.effects.rows.map((row) => row.slice(1)), [
      ['1200', '1200', '1200 (1200)', '1200 (1200)'],
      ['0', '0', '0 (0)', '0 (0)'],
    ]);
    assert.deepEqual(outcomesOf('email-archive'), {
      'email from alice': 'completed',
      'same email again (re-sent)': 'duplicate',
      'email from an awkward sender': 'completed',
      'sender is not an email address': 'quarantined',
      'missing subject': 'quarantined',
    });
    const keys = (of('email-archive')?.effects.rows ?? []).map(([key]) => key ?? '');
    assert.equal(keys.length, 2);
    assert.ok(keys.every((key) => /^emails\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9._-]+\/[0-9a-f-]+_\d{6}\.json$/.test(key)), keys.join('\n'));
    assert.deepEqual(outcomesOf('audit-events'), {
      AUTH_LOG_IN_SUCCESS: 'completed',
      'AUTH_LOG_IN_SUCCESS again (re-sent)': 'duplicate',
      AUTH_CODE_ISSUED: 'completed',
      'AUTH_ACCOUNT_DELETED without session': 'completed',
      'event name not allowed': 'quarantined',
      'no timestamp': 'quarantined',
      'session_id not a UUID': 'quarantined',
    });
    assert.equal(of('audit-events')?.effects.rows.length, 3);
    assert.deepEqual(outcomesOf('tasks'), {
      'event batch (3 events, 4 user rows)': 'completed',
      'event batch again (re-sent)': 'duplicate',
      'action without a handler': 'quarantined',
      'no action': 'quarantined',
      'event item without userIds': 'quarantined',
    });
    assert.equal(of('tasks')?.effects.rows.length, 4);
    const result = of('account-events');
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

  it('when `init` runs twice against SQS, SNS, S3 and Temporal, then it creates the queues with redrive, the topic, the bucket and search attributes, then only re-applies', async () => {
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
        destinations: { documentEventsQueue: `init-documents-${suffix}.fifo`, auditTopic: `init-audit-${suffix}.fifo`, emailArchiveBucket: `init-emails-${suffix}` },
      }),
    );
    const dryRun = await runCli(['init', '--queues', queuesFile, '--dry-run', '--json'], env());
    assert.equal(dryRun.code, 0, dryRun.stderr);
    type InitResult = {
      queues: Array<{ name: string; url: string; action: string; variable: string }>;
      destinations: Array<{ kind: string; name: string; value: string; action: string; variable: string }>;
      searchAttributes: Array<{ name: string; action: string }>;
    };
    const planned = JSON.parse(dryRun.stdout) as InitResult;
    assert.deepEqual(planned.queues.map((q) => q.action), ['would-create', 'would-create', 'would-create', 'would-create']);
    assert.deepEqual(planned.destinations.map((d) => d.action), ['would-create', 'would-create']);

    const first = await runCli(['init', '--queues', queuesFile, '--json'], env());
    assert.equal(first.code, 0, first.stderr);
    const created = JSON.parse(first.stdout) as InitResult;
    assert.deepEqual(created.queues.map((q) => q.action), ['created', 'created', 'created', 'created']);
    assert.deepEqual(created.searchAttributes.map((a) => a.action), ['exists', 'exists', 'exists', 'exists'], 'the stack registered them already');
    const routeQueue = created.queues.find((q) => q.variable === 'CASCADE_QUEUE_URL_ACCOUNT_EVENTS');
    const { Attributes } = await ctx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: routeQueue?.url, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    assert.match(redrive.deadLetterTargetArn ?? '', new RegExp(`init-dlq-${suffix}$`));
    assert.equal(Number(redrive.maxReceiveCount), 7);
    assert.equal(Attributes?.VisibilityTimeout, '45');
    const documents = created.queues.find((q) => q.variable === 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL');
    const documentAttributes = await ctx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: documents?.url, AttributeNames: ['FifoQueue', 'RedrivePolicy'] }));
    assert.equal(documentAttributes.Attributes?.FifoQueue, 'true', 'the document-events queue is FIFO');
    assert.equal(documentAttributes.Attributes?.RedrivePolicy, undefined, 'and nobody consumes it here, so it has no redrive');
    assert.deepEqual(
      created.destinations.map((d) => [d.variable, d.kind, d.action]),
      [
        ['CASCADE_AUDIT_TOPIC_ARN', 'topic', 'created'],
        ['S3_BUCKET_NAME', 'bucket', 'created'],
      ],
    );
    assert.match(created.destinations[0]?.value ?? '', new RegExp(`^arn:aws:sns:[^:]+:\\d+:init-audit-${suffix}\\.fifo$`));
    await s3.send(new HeadBucketCommand({ Bucket: `init-emails-${suffix}` }));

    const second = await runCli(['init', '--queues', queuesFile, '--json'], env());
    assert.equal(second.code, 0, second.stderr);
    const again = JSON.parse(second.stdout) as InitResult;
    assert.deepEqual(again.queues.map((q) => q.action), ['updated', 'updated', 'updated', 'updated']);
    assert.deepEqual(again.destinations.map((d) => [d.action, d.value]), created.destinations.map((d) => ['exists', d.value]));
  });

  it('when `stack env` runs where no stack was brought up, then it says how to start one', async () => {
    const { code, stderr } = await runCli(['stack', 'env'], env());
    assert.equal(code, 1);
    assert.match(stderr, /run `cascade stack up` first/);
  });
});

