import assert from 'node:assert/strict';
import type { Message } from '@aws-sdk/client-sqs';
import { decodeEnvelope, measureJsonDepth } from '../../src/bridge/envelope';
import { decideMessage } from '../../src/bridge/message-handler';
import { QUARANTINE_ATTRIBUTES, SQS_DEFAULT_MAX_MESSAGE_BYTES, toAttributeText, toQuarantineCopy } from '../../src/bridge/quarantine';
import type { StartCascade } from '../../src/bridge/workflow-starter';
import { loadConfig } from '../../src/config';
import { MAX_JSON_DEPTH, findJsonProblem } from '../../src/routes/json-inspection';
import { createRoutes } from '../../src/routes/registry';
import { type RouteDefinition, guardRoute } from '../../src/routes/route';
import type { RouteName } from '../../src/routes/route-names';

const config = loadConfig({}, ['client']);
const routes = createRoutes(config);
const SESSION = '0b6c5a3e-1f2d-4c8b-9a7e-6d5c4b3a2f10';
/** Text that must never appear in a rejection reason: the reasons never quote the body. */
const SECRET = 'SECRET-BODY-TEXT';
const context = { messageId: 'm-1', sentAt: new Date('2026-12-01T00:00:00Z') };

const audit = (overrides: Record<string, unknown> = {}) => ({ event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: SESSION, email: 'a@example.com', note: SECRET }, ...overrides });
const task = (eventMeta: unknown) => ({ action: 'event', data: [{ userIds: ['u-1'], eventName: 'profile.completed', eventMeta }], note: SECRET });
const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}"${SECRET}"${'}'.repeat(depth)}`;

/** The decision of the bridge for one SQS body on `route`, exactly as the bridge makes it (a start would fail the test). */
async function decide(route: RouteName, body: string): Promise<{ outcome: string; reason?: string }> {
  const refuse: StartCascade = Object.assign(() => Promise.reject(new Error('poison must never reach Temporal')), {
    probe: () => Promise.reject(new Error('poison must never reach Temporal')),
  });
  const message: Message = { MessageId: 'm-1', Body: body, Attributes: { SentTimestamp: '1764547200000' } };
  const decision = await decideMessage(message, routes[route], 'http://queue', refuse, new Date());
  return decision;
}

async function rejectedReason(route: RouteName, body: string): Promise<string> {
  const decision = await decide(route, body);
  assert.equal(decision.outcome, 'rejected', JSON.stringify(decision));
  const reason = decision.reason ?? '';
  assert.ok(!reason.includes(SECRET), `the reason quotes the body: ${reason}`);
  assert.ok(reason.length < 600, `a short reason, got ${reason.length} characters`);
  return reason;
}

describe('poison input: every shape is rejected with a reason at parse, never thrown, never retried', () => {
  it('when a 10 KB audit event nests 5,000 arrays, then it is rejected for its depth (it used to overflow the stack on every receive)', async () => {
    const body = `${JSON.stringify(audit()).slice(0, -1)},"extra":${deepArrays(5000)}}`;
    assert.ok(body.length > 10_000);
    assert.equal(await rejectedReason('audit-events', body), `body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (the most Cascade accepts)`);
  });

  it('when objects nest deeper than the limit, then the body is rejected; at the limit it passes the envelope', async () => {
    assert.match(await rejectedReason('tasks', deepObjects(3300)), /^body nests arrays and objects deeper than 64 levels/);
    assert.equal(measureJsonDepth(deepObjects(MAX_JSON_DEPTH), MAX_JSON_DEPTH), MAX_JSON_DEPTH);
    assert.equal(decodeEnvelope(deepObjects(MAX_JSON_DEPTH)).ok, true);
    assert.equal(decodeEnvelope(deepObjects(MAX_JSON_DEPTH + 1)).ok, false);
  });

  it('when brackets sit inside strings (escaped quotes included), then they do not count toward the depth', () => {
    const body = JSON.stringify({ text: `${'['.repeat(1000)}\\"{{{{"${'{'.repeat(1000)}` });
    assert.equal(measureJsonDepth(body, MAX_JSON_DEPTH), 1);
    assert.equal(decodeEnvelope(body).ok, true);
  });

  it('when an audit event carries a NUL (\\u0000) in a value, then it is rejected naming the field (PostgreSQL jsonb would refuse it on every attempt)', async () => {
    const body = JSON.stringify(audit({ user: { session_id: SESSION, email: `a\u0000@example.com`, note: SECRET } }));
    assert.ok(body.includes('\\u0000'), 'sent as the JSON escape, as a producer would');
    assert.equal(await rejectedReason('audit-events', body), 'user.email: contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store');
  });

  it('when a NUL is in an object key, then it is rejected naming the object', async () => {
    const body = JSON.stringify(task({ nested: { [`k\u0000ey`]: 1 } }));
    assert.equal(await rejectedReason('tasks', body), 'data[0].eventMeta.nested: has a key that contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store');
  });

  it('when a string holds a lone high or low surrogate, then it is rejected naming the field; a proper pair is kept', async () => {
    assert.equal(await rejectedReason('tasks', JSON.stringify(task({ v: 'ab\ud800' }))), 'data[0].eventMeta.v: contains a lone high surrogate (U+D800) at index 2, which PostgreSQL cannot store');
    assert.equal(await rejectedReason('audit-events', JSON.stringify(audit({ component_id: '\udc00x' }))), 'component_id: contains a lone low surrogate (U+DC00) at index 0, which PostgreSQL cannot store');
    assert.equal(await rejectedReason('audit-events', JSON.stringify(audit({ list: ['ok', '\udfff\ud800'] }))), 'list[1]: contains a lone low surrogate (U+DFFF) at index 0, which PostgreSQL cannot store');
    assert.equal(findJsonProblem({ emoji: '😀 \ud83d\ude00' }), undefined, 'a surrogate pair is fine');
  });

  it('when a NUL is in an account event email or a task user ID, then it is rejected naming the field (text columns refuse it too)', async () => {
    assert.equal(await rejectedReason('account-events', JSON.stringify({ event: 'delete', uid: 'u\u0000', iss: 'api.accounts.firefox.com', n: SECRET })), 'uid: contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store');
    assert.equal(await rejectedReason('tasks', JSON.stringify({ action: 'event', data: [{ userIds: ['ok', 'u\u0000'], eventName: 'x' }] })), 'data[0].userIds[1]: contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store');
  });

  it('when a body has a "__proto__" key, then it is rejected naming where, and no prototype changes', async () => {
    const body = `{"action":"event","data":[{"userIds":["u"],"eventName":"x","eventMeta":{"__proto__":{"polluted":"${SECRET}"}}}]}`;
    assert.equal(await rejectedReason('tasks', body), 'data[0].eventMeta: has a "__proto__" key, which is not accepted');
    assert.equal(await rejectedReason('audit-events', `{"__proto__":{"event_name":"AUTH_LOG_IN_SUCCESS"},"timestamp":1}`), 'body: has a "__proto__" key, which is not accepted');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('when fields have the wrong types, then each route rejects naming the field', async () => {
    assert.match(await rejectedReason('audit-events', JSON.stringify(audit({ event_name: 42 }))), /^event_name: is required and must be a string/);
    assert.match(await rejectedReason('tasks', JSON.stringify({ action: 'event', data: { userIds: 'u' }, note: SECRET })), /^data: must be an array of events/);
    assert.match(await rejectedReason('account-events', JSON.stringify({ event: ['delete'], uid: SECRET })), /^event: is required and must be a string/);
    assert.match(await rejectedReason('email-archive', JSON.stringify({ email_subject: 1, email_sender: SECRET })), /^email_subject: is required and must be a string/);
    assert.match(await rejectedReason('entity-deleted', JSON.stringify([SECRET])), /^entity event must be a JSON object/);
  });

  it('when the SQS body had invalid UTF-8 bytes, then outside a string it is not JSON (reason without the text); inside a string it arrives as U+FFFD and is stored', async () => {
    const decode = (bytes: Buffer) => new TextDecoder('utf-8').decode(bytes);
    const outside = decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`{"a":"${SECRET}"}`)]));
    assert.equal(await rejectedReason('audit-events', outside), 'body is not JSON: unexpected character at position 0');
    const inside = decode(Buffer.concat([Buffer.from('{"event_name":"AUTH_LOG_IN_SUCCESS","timestamp":1764000000,"user":{"session_id":"' + SESSION + '"},"note":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    const decoded = decodeEnvelope(inside);
    assert.ok(decoded.ok && (decoded.body as { note: string }).note === '\ufffd(');
    assert.equal(decoded.ok && routes['audit-events'].parse(decoded.body, context).kind, 'event', 'U+FFFD is ordinary text');
  });

  it('when an SNS Notification wraps garbage, then it is rejected naming the envelope, never quoting it', async () => {
    const sns = (message: string) => JSON.stringify({ Type: 'Notification', MessageId: 'n-1', TopicArn: 'arn:aws:sns:eu-west-2:1:t', Message: message });
    assert.equal(await rejectedReason('audit-events', sns(`${SECRET} is not json`)), 'SNS Notification carries a Message that is not JSON: unexpected character at position 0');
    assert.equal(await rejectedReason('audit-events', sns(`{"event_name": ${SECRET}}`)), 'SNS Notification carries a Message that is not JSON: unexpected character at position 15');
    assert.equal(await rejectedReason('audit-events', sns('undefined')), 'SNS Notification carries a Message that is not JSON: unexpected character at position 0', 'V8 quotes a lone bad word whole');
    assert.equal(await rejectedReason('audit-events', sns(`{"event_name":"${SECRET}`)), 'SNS Notification carries a Message that is not JSON: Unterminated string in JSON at position 31');
    assert.equal(await rejectedReason('audit-events', sns(deepArrays(3000))), 'SNS Notification carries a Message that nests arrays and objects deeper than 64 levels (the most Cascade accepts)');
    assert.match(await rejectedReason('audit-events', sns(JSON.stringify(audit({ component_id: 'x\u0000' })))), /^component_id: contains a NUL character/);
  });

  it('when a 1 MiB body arrives, then it is decided quickly, whatever it holds (a big valid-but-wrong body, a big deep body)', async () => {
    const big = JSON.stringify({ ...audit(), padding: 'x'.repeat(1_048_576) });
    const started = Date.now();
    assert.match(await rejectedReason('tasks', big), /^action: is required/);
    assert.match(await rejectedReason('audit-events', deepArrays(524_288)), /^body nests arrays and objects deeper than 64 levels/);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('when a route parser throws anyway, then the guarded route rejects naming the error class, never the error text (it may echo the body)', () => {
    const throwing: RouteDefinition = {
      name: 'tasks',
      workflowType: 'incentiveEventsWorkflow',
      parse: (body) => {
        throw new TypeError(`cannot read ${JSON.stringify(body)}`);
      },
    };
    const overflowing: RouteDefinition = {
      name: 'tasks',
      workflowType: 'incentiveEventsWorkflow',
      parse: () => {
        const recurse = (n: number): number => recurse(n + 1) + 1;
        return { kind: 'ignored', reason: String(recurse(0)) };
      },
    };
    assert.deepEqual(guardRoute(throwing).parse({ note: SECRET }, context), { kind: 'rejected', reason: 'the tasks parser failed on this body (TypeError); the message is kept here unchanged' });
    assert.deepEqual(guardRoute(overflowing).parse({}, context), {
      kind: 'rejected',
      reason: 'the tasks parser failed on this body (RangeError: Maximum call stack size exceeded); the message is kept here unchanged',
    });
  });
});

describe('quarantine copy: the body and the reason always fit', () => {
  const request = (body: string, attributes: Message['MessageAttributes'] = {}) => ({
    message: { MessageId: 'm-1', Body: body, MessageAttributes: attributes },
    sourceQueueUrl: 'http://127.0.0.1:9324/000000000000/cascade-tasks',
    route: 'tasks',
    reason: 'data[0].eventMeta: contains a NUL character (U+0000) at index 1, which PostgreSQL cannot store',
  });
  const at = new Date('2026-12-01T03:00:00Z');
  const reasonOf = (copy: ReturnType<typeof toQuarantineCopy>) => copy?.attributes[QUARANTINE_ATTRIBUTES.reason]?.StringValue;

  it('when a small message is rejected, then the copy carries its own attributes and all of Cascade\'s', () => {
    const copy = toQuarantineCopy(request('{"x":1}', { trace: { DataType: 'String', StringValue: 't-1' } }), at, SQS_DEFAULT_MAX_MESSAGE_BYTES);
    assert.deepEqual(Object.keys(copy?.attributes ?? {}).sort(), ['cascade.reason', 'cascade.rejected-at', 'cascade.route', 'cascade.source-message-id', 'cascade.source-queue', 'trace']);
    assert.equal(copy?.body, '{"x":1}');
  });

  it('when a body near 256 KiB is rejected, then its own attributes give way first, and the copy keeps the body and the reason within 256 KiB', () => {
    const body = JSON.stringify({ pad: 'x'.repeat(261_750) });
    const copy = toQuarantineCopy(request(body, { trace: { DataType: 'String', StringValue: 'x'.repeat(300) } }), at, SQS_DEFAULT_MAX_MESSAGE_BYTES);
    assert.ok(copy !== undefined);
    assert.equal(copy.body, body);
    assert.ok(copy.bytes <= SQS_DEFAULT_MAX_MESSAGE_BYTES, `${copy.bytes} bytes`);
    assert.equal(copy.attributes.trace, undefined);
    assert.match(reasonOf(copy) ?? '', /^data\[0\]\.eventMeta: contains a NUL character .*\[1 attribute\(s\) of the original message dropped to fit the quarantine queue's size limit\]$/);
    assert.ok(copy.attributes[QUARANTINE_ATTRIBUTES.sourceQueue], 'the source queue stays, so it can be redriven');
  });

  it('when the body leaves only a little room, then the source queue and route give way before the reason, and the reason is cut to fit', () => {
    const tight = toQuarantineCopy(request('x'.repeat(SQS_DEFAULT_MAX_MESSAGE_BYTES - 150)), at, SQS_DEFAULT_MAX_MESSAGE_BYTES);
    assert.deepEqual(Object.keys(tight?.attributes ?? {}), [QUARANTINE_ATTRIBUTES.reason]);
    assert.ok((tight?.bytes ?? Infinity) <= SQS_DEFAULT_MAX_MESSAGE_BYTES);
    assert.match(reasonOf(tight) ?? '', /^data\[0\]\.eventMeta: contains a NUL/);
    const bare = toQuarantineCopy(request('x'.repeat(SQS_DEFAULT_MAX_MESSAGE_BYTES - 10)), at, SQS_DEFAULT_MAX_MESSAGE_BYTES);
    assert.deepEqual(bare?.attributes, {}, 'no room for any reason: the body alone, quarantined rather than retried');
    assert.equal(toQuarantineCopy(request('x'.repeat(SQS_DEFAULT_MAX_MESSAGE_BYTES + 1)), at, SQS_DEFAULT_MAX_MESSAGE_BYTES), undefined, 'a body larger than the queue takes');
    assert.ok(toQuarantineCopy(request('x'.repeat(SQS_DEFAULT_MAX_MESSAGE_BYTES)), at, 1_048_576)?.attributes[QUARANTINE_ATTRIBUTES.rejectedAt], 'a 1 MiB quarantine queue takes every attribute');
  });

  it('when a reason names odd characters, then the attribute text is one SQS accepts', () => {
    assert.equal(toAttributeText('a\u0000b\u0007c\td\ud800e\ufffff😀'), 'a\ufffdb\ufffdc\td\ufffde\ufffdf😀');
  });
});
