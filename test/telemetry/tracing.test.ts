import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { RETIRED_GENERATION } from '../../src/shared/account-event';
import { type CascadeProcess, startCascadeProcess } from '../support/cascade-processes';
import { type E2eContext, createE2eContext, createTestQueues, eventually } from '../support/e2e-harness';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver';

const ISS = 'api.accounts.firefox.com';

describe('tracing (OTLP receiver in the test process, real bridge and worker processes)', function () {
  this.timeout(240_000);
  let ctx: E2eContext;
  let receiver: OtlpReceiver;
  const processes: CascadeProcess[] = [];

  let queueUrl: string;

  before(async () => {
    ctx = await createE2eContext('tracing');
    receiver = await startOtlpReceiver();
    const queues = await createTestQueues(ctx.sqs, 'tracing');
    queueUrl = queues.queueUrl;
    const env: NodeJS.ProcessEnv = {
      ...ctx.env,
      CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl,
      CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
      CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: 'cascade-tracing-test',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    processes.push(await startCascadeProcess('worker', env), await startCascadeProcess('bridge', env));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.close();
    await ctx?.close();
  });

  it('when a message carries a traceparent, then one trace connects receive → workflow start → workflow → activity → SQL update, and no span holds the body or the email', async () => {
    const uid = `u${randomUUID().replace(/-/g, '')}`;
    const email = `${uid}@${ISS}`;
    await ctx.db.prisma.user.create({ data: { email, generation: 3n, clientState: 'cs', createdAt: 1n } });
    const producerTraceId = randomBytes(16).toString('hex');
    const producerSpanId = randomBytes(8).toString('hex');
    const body = JSON.stringify({ event: 'delete', uid, iss: ISS, ts: 1 });
    await ctx.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: { traceparent: { DataType: 'String', StringValue: `00-${producerTraceId}-${producerSpanId}-01` } },
      }),
    );

    await eventually('the user is retired', async () => (await ctx.db.prisma.user.findMany({ where: { email } })).every((u) => u.generation === RETIRED_GENERATION), 90_000);
    const trace = () => receiver.spans.filter((s) => s.traceId === producerTraceId);
    const isUpdate = (s: ReceivedSpan) => /^\s*UPDATE\b/i.test(s.attributes['db.statement'] ?? '');
    await eventually('the SQL update span arrives', async () => trace().some(isUpdate), 30_000);
    await eventually('the workflow span arrives', async () => trace().some((s) => s.name.startsWith('RunWorkflow:')), 30_000);

    const spans = trace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) chain.push(parent);
      return chain;
    };
    const listing = () => spans.map((s) => `${s.service} ${s.name} ${s.spanId} <- ${s.parentSpanId ?? '-'}`).join('\n');

    const update = spans.find(isUpdate);
    assert.ok(update, `an UPDATE span in the trace:\n${listing()}`);
    const chain = [update, ...ancestors(update)].reverse();
    const root = chain[0];
    assert.equal(root?.parentSpanId, producerSpanId, `the trace's first Cascade span continues the producer's span:\n${listing()}`);
    const names = chain.map((s) => s.name);
    const expected = [/^process account-events$/, /^StartWorkflow:/, /^RunWorkflow:/, /^StartActivity:/, /^RunActivity:/];
    let at = 0;
    for (const pattern of expected) {
      const found = names.findIndex((name, i) => i >= at && pattern.test(name));
      assert.ok(found >= 0, `${String(pattern)} in the chain from the message to the UPDATE, in order: ${names.join(' → ')}`);
      at = found + 1;
    }
    assert.equal(root?.service, 'cascade-tracing-test');
    assert.equal(root?.attributes['cascade.outcome'], 'started');

    const leaks = receiver.spans.flatMap((s) =>
      [...Object.entries(s.attributes).map(([key, value]) => ({ key, value })), ...s.otherText.map((value) => ({ key: '(event/status)', value }))]
        .filter(({ value }) => value.includes(email) || value.includes(uid) || value.includes(body))
        .map(({ key }) => `${s.name}: ${key}`),
    );
    assert.deepEqual(leaks, [], 'no span attribute carries the body, the email or the user ID');
  });

  it('when a message carries no traceparent but an AWSTraceHeader (X-Ray), then the bridge continues that trace', async () => {
    const xrayTraceId = `${Math.floor(Date.now() / 1000).toString(16)}${randomBytes(12).toString('hex')}`;
    const xrayParent = randomBytes(8).toString('hex');
    const body = JSON.stringify({ event: 'reset', uid: `u${randomUUID().replace(/-/g, '')}`, iss: ISS, generation: 7, ts: 2 });
    await ctx.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: `Root=1-${xrayTraceId.slice(0, 8)}-${xrayTraceId.slice(8)};Parent=${xrayParent};Sampled=1` } },
      }),
    );
    await eventually('the bridge span of the X-Ray traced message arrives', async () => receiver.spans.some((s) => s.traceId === xrayTraceId && s.name === 'process account-events'), 60_000);
    const span = receiver.spans.find((s) => s.traceId === xrayTraceId && s.name === 'process account-events');
    assert.equal(span?.parentSpanId, xrayParent);
    await eventually('the workflow of that message joins the trace', async () => receiver.spans.some((s) => s.traceId === xrayTraceId && s.name.startsWith('RunWorkflow:')), 60_000);
  });
});
