import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createQuarantineWatcher } from '../src/demo/observe-outcomes';
import { ROUTE_NAMES, type RouteName } from '../src/routes/route-names';
import { type FaultDefinition, toRowSource } from './fault-definition';
import type { FaultStage } from './fault-stage';
import type { RowSource } from './outcome';

/** The same event sent `sameEventCopies` times at once to each route, three bridges competing. */
export const sameEventManyTimes: FaultDefinition = {
  name: 'same-event',
  description: 'the same event sent many times at once, three bridges competing',
  async run(stage, register) {
    const workloads = await Promise.all(ROUTE_NAMES.map((route) => stage.workload(route, 1, 200)));
    const copies = stage.settings.sameEventCopies;
    register([toRowSource('same-event', `one event per route sent ${copies} times at once, 3 bridges`, workloads, [`${workloads.length * copies} messages for ${workloads.length} events`])]);
    await stage.startWorker();
    await Promise.all([stage.startBridge(), stage.startBridge(), stage.startBridge()]);
    // Ten copies per SendMessageBatch call, every call at once.
    await Promise.all(
      workloads.flatMap((w) =>
        Array.from({ length: Math.ceil(copies / 10) }, (_, b) =>
          stage.env.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: stage.queues.byRoute[w.route],
              Entries: Array.from({ length: Math.min(10, copies - b * 10) }, (_, i) => ({ Id: String(i), MessageBody: w.bodies[0] ?? '' })),
            }),
          ),
        ),
      ),
    );
    return { sources: [], endedAt: Date.now() };
  },
};

/** A malformed message for one route: its body as text, or as raw bytes (invalid UTF-8). */
export interface PoisonShape {
  readonly name: string;
  readonly route: RouteName;
  readonly body: string | Buffer;
}

const ISS = 'faults.example.com';
const json = (value: unknown) => JSON.stringify(value);
const sns = (message: unknown) => json({ Type: 'Notification', MessageId: randomUUID(), TopicArn: 'arn:aws:sns:us-east-1:000000000000:faults', Message: message });

/** The poison shapes: every one must end in the quarantine queue with its reason. */
export function toPoisonShapes(): PoisonShape[] {
  const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  return [
    { name: 'not JSON', route: 'account-events', body: 'this is not json {' },
    { name: 'truncated JSON', route: 'account-events', body: '{"event":"delete","uid":"abc' },
    { name: 'deep nesting (arrays, 100,000 levels)', route: 'account-events', body: '['.repeat(100_000) + ']'.repeat(100_000) },
    { name: 'deep nesting (objects, 20,000 levels)', route: 'entity-deleted', body: deep(20_000) },
    { name: 'NUL escaped in a field', route: 'account-events', body: '{"event":"delete","uid":"a\\u0000b","iss":"faults.example.com"}' },
    { name: 'raw NUL character', route: 'tasks', body: '{"action":"event","data":"\u0000"}' },
    { name: 'lone surrogate escaped', route: 'audit-events', body: '{"event_name":"AUTH_LOG_IN_SUCCESS","timestamp":1,"user":{"session_id":"\\ud800"}}' },
    { name: 'lone surrogate raw', route: 'email-archive', body: `{"email_subject":"\ud800","email_sender":"x@${ISS}","email_timestream":"2026-01-01T00:00:00Z","email_content":"\udfff"}` },
    { name: '1 MiB body (uid of 1 MiB)', route: 'account-events', body: json({ event: 'delete', uid: 'u'.repeat(1024 * 1024), iss: ISS, ts: 1 }) },
    { name: '1 MiB body (entity_id of 1 MiB)', route: 'entity-deleted', body: json({ event_id: 'e1', source: 's', action: 'entity.deleted', entity_id: 'x'.repeat(1024 * 1024), entity_type: 'deal' }) },
    { name: '250 KiB body (uid of 250 KiB; ElasticMQ refuses more)', route: 'account-events', body: json({ event: 'delete', uid: 'u'.repeat(250 * 1024), iss: ISS, ts: 1 }) },
    { name: '250 KiB body (email content of 250 KiB, sender missing)', route: 'email-archive', body: json({ email_subject: 's', email_timestream: '2026-01-01T00:00:00Z', email_content: 'c'.repeat(250 * 1024) }) },
    { name: 'wrong types (uid a number, ts a string)', route: 'account-events', body: json({ event: 'delete', uid: 42, iss: ISS, ts: 'yesterday' }) },
    { name: 'top-level array', route: 'account-events', body: '[1,2,3]' },
    { name: 'top-level null', route: 'entity-deleted', body: 'null' },
    { name: 'top-level number', route: 'tasks', body: '42' },
    { name: 'top-level string', route: 'audit-events', body: '"AUTH_LOG_IN_SUCCESS"' },
    { name: '__proto__ key carrying the fields', route: 'account-events', body: `{"__proto__":{"event":"delete","uid":"p","iss":"${ISS}","ts":1}}` },
    { name: '__proto__ as the action', route: 'tasks', body: '{"action":"__proto__","data":{}}' },
    { name: 'constructor.prototype as the action', route: 'tasks', body: '{"action":"constructor","data":{"prototype":{"polluted":true}}}' },
    { name: 'invalid UTF-8 bytes', route: 'account-events', body: Buffer.concat([Buffer.from('{"event":"delete","uid":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(`","iss":"${ISS}","ts":1}`)]) },
    { name: 'SNS envelope wrapping garbage', route: 'account-events', body: sns('not json at all') },
    { name: 'SNS envelope wrapping an SNS envelope wrapping garbage', route: 'account-events', body: sns(sns('{{{')) },
    { name: 'SNS envelope with a non-string Message', route: 'account-events', body: json({ Type: 'Notification', MessageId: 'm', Message: { event: 'delete' } }) },
    { name: '{"Message"} wrapper of garbage', route: 'entity-deleted', body: json({ Message: '<xml/>' }) },
    { name: 'generation beyond every integer (1e400)', route: 'account-events', body: `{"event":"reset","uid":"g","iss":"${ISS}","generation":1e400,"ts":1}` },
    { name: 'negative generation', route: 'account-events', body: json({ event: 'reset', uid: 'g', iss: ISS, generation: -5, ts: 1 }) },
    { name: 'entity_id not a UUID', route: 'entity-deleted', body: json({ event_id: 'e2', source: 's', action: 'entity.deleted', entity_id: '../../etc/passwd', entity_type: 'deal' }) },
    { name: 'event_id of path characters', route: 'entity-deleted', body: json({ event_id: '../../x y', source: 's', action: 'entity.deleted', entity_id: randomUUID(), entity_type: 'deal' }) },
    { name: 'email sender with CRLF injection', route: 'email-archive', body: json({ email_subject: 's', email_sender: `a@${ISS}\r\nBcc: b@evil.example`, email_timestream: '2026-01-01T00:00:00Z', email_content: 'x' }) },
    { name: 'email content a number, subject missing', route: 'email-archive', body: json({ email_sender: `a@${ISS}`, email_timestream: '2026-01-01T00:00:00Z', email_content: 7 }) },
    { name: 'TxMA timestamp an object', route: 'audit-events', body: json({ event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: { $gt: 0 }, user: { session_id: randomUUID() } }) },
    { name: 'TxMA event_name empty', route: 'audit-events', body: json({ event_name: '', timestamp: 1, user: { session_id: randomUUID() } }) },
    { name: 'task event data not an array', route: 'tasks', body: json({ action: 'event', data: { userIds: 'everyone' } }) },
    { name: 'task event userIds of objects', route: 'tasks', body: json({ action: 'event', data: [{ userIds: [{ $ne: null }], eventName: 'x' }] }) },
  ];
}

/**
 * 25+ malformed messages across the routes: each should be quarantined with
 * its reason. SQS itself refuses some bodies (e.g. characters outside its
 * allowed set); those never reach Cascade and are listed, not counted.
 */
export const poison: FaultDefinition = {
  name: 'poison',
  description: 'poison messages of many shapes on every route',
  async run(stage, register) {
    const shapes = toPoisonShapes();
    const sent: Array<{ id: string; shape: string }> = [];
    const bodies = new Set<string>();
    const refused: string[] = [];
    const watcher = createQuarantineWatcher(stage.env.sqs, stage.queues.quarantineQueueUrl);
    const notes: string[] = [];
    const source: RowSource = {
      fault: 'poison',
      description: `${shapes.length} poison shapes (deep nesting, NUL, lone surrogates, 1 MiB bodies, wrong types, __proto__, invalid UTF-8, SNS envelopes of garbage, …)`,
      workflowPrefixes: ROUTE_NAMES.map((route) => `${route}/`),
      get eventsSent() {
        return sent.length;
      },
      get expectedEffects() {
        return sent.length;
      },
      bodies,
      quarantineExpected: true,
      notes,
      async count() {
        const reasons = await watcher.refresh();
        const missing = sent.filter(({ id }) => (reasons.get(id) ?? '').length === 0).map(({ shape }) => shape);
        const note = `not quarantined (yet): ${missing.join('; ')}`;
        const at = notes.findIndex((n) => n.startsWith('not quarantined'));
        if (missing.length === 0 && at >= 0) notes.splice(at, 1);
        else if (missing.length > 0) notes.splice(at >= 0 ? at : notes.length, at >= 0 ? 1 : 0, note);
        return { observed: sent.length - missing.length, duplicated: 0 };
      },
    };
    register([source]);
    await stage.startWorker();
    await stage.startBridge();
    for (const shape of shapes) {
      try {
        const id = typeof shape.body === 'string' ? await sendText(stage, shape.route, shape.body) : await sendBytes(stage, shape.route, shape.body);
        sent.push({ id, shape: shape.name });
        bodies.add(shape.body.toString());
      } catch (error) {
        refused.push(`${shape.name} (${error instanceof Error ? error.message.slice(0, 80) : String(error)})`);
      }
    }
    if (refused.length > 0) notes.push(`refused by SQS itself, never reached Cascade: ${refused.join('; ')}`);
    return { sources: [], endedAt: Date.now() };
  },
};

async function sendText(stage: FaultStage, route: RouteName, body: string): Promise<string> {
  const response = await stage.env.sqs.send(new SendMessageCommand({ QueueUrl: stage.queues.byRoute[route], MessageBody: body }));
  return response.MessageId ?? '';
}

/** SendMessage with the body's raw bytes on the wire (the SDK would re-encode a string as valid UTF-8). */
async function sendBytes(stage: FaultStage, route: RouteName, body: Buffer): Promise<string> {
  const head = Buffer.from(`{"QueueUrl":${JSON.stringify(stage.queues.byRoute[route])},"MessageBody":"`);
  const response = await fetch(stage.env.endpoints.AWS_ENDPOINT_URL_SQS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.SendMessage' },
    body: Buffer.concat([head, Buffer.from(body.toString('latin1').replace(/["\\]/g, '\\$&'), 'latin1'), Buffer.from('"}')]),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
  return (JSON.parse(text) as { MessageId?: string }).MessageId ?? '';
}
