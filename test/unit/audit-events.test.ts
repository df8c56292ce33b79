import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { type AuditEventsRouteOptions, parseTxmaEvent } from '../../src/routes/audit-events';
import { createRoutes } from '../../src/routes/registry';

const OPTIONS: AuditEventsRouteOptions = { eventNames: ['AUTH_LOG_IN_SUCCESS', 'AUTH_ACCOUNT_DELETED'], sessionlessEventNames: ['AUTH_ACCOUNT_DELETED'] };
const SESSION = '0b6c5a3e-1f2d-4c8b-9a7e-6d5c4b3a2f10';

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: SESSION, user_id: 'urn:x:1', email: 'a@b.c' }, component_id: 'auth', ...overrides };
}

function rejected(value: unknown): string {
  const outcome = parseTxmaEvent(value, OPTIONS);
  assert.equal(outcome.kind, 'rejected', `expected rejected, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

describe('audit-events (TxMA) parsing', () => {
  it('when a valid event arrives, then pk and sk are derived and the whole body is kept', () => {
    const event = body();
    const outcome = parseTxmaEvent(event, OPTIONS);
    assert.ok(outcome.kind === 'event', JSON.stringify(outcome));
    assert.deepEqual(outcome.event, { pk: `SESSION#${SESSION}`, sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1764000000', event });
    assert.match(outcome.eventKey, /^[0-9a-f]{64}$/, 'without event_id the key is a digest');
    assert.ok(!outcome.eventKey.includes('a@b.c'));
  });

  it('when the event has an event_id, then it is the key; when it is unsafe, the event is rejected', () => {
    const outcome = parseTxmaEvent(body({ event_id: 'f1e2d3c4-0000-4000-8000-000000000001' }), OPTIONS);
    assert.ok(outcome.kind === 'event');
    assert.equal(outcome.eventKey, 'f1e2d3c4-0000-4000-8000-000000000001');
    assert.match(rejected(body({ event_id: 'has space' })), /^event_id: may contain only/);
    assert.match(rejected(body({ event_id: 'x'.repeat(129) })), /^event_id: must be at most 128/);
    assert.match(rejected(body({ event_id: 12 })), /^event_id: must be a string/);
  });

  it('when the session ID is upper case or the timestamp an ISO string, then the keys keep the session and the timestamp exactly as sent', () => {
    const outcome = parseTxmaEvent(body({ timestamp: '2026-11-24T07:08:09.123Z', user: { session_id: SESSION.toUpperCase() } }), OPTIONS);
    assert.ok(outcome.kind === 'event');
    assert.equal(outcome.event.pk, `SESSION#${SESSION.toUpperCase()}`);
    assert.equal(outcome.event.sk, 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#2026-11-24T07:08:09.123Z');
  });

  it('when a session-less event has no session, then it is stored under SESSION#UNKNOWN; other events are rejected', () => {
    const deleted = parseTxmaEvent(body({ event_name: 'AUTH_ACCOUNT_DELETED', user: { user_id: 'urn:x:1' } }), OPTIONS);
    assert.ok(deleted.kind === 'event');
    assert.equal(deleted.event.pk, 'SESSION#UNKNOWN');
    const noUser = parseTxmaEvent(body({ event_name: 'AUTH_ACCOUNT_DELETED', user: undefined }), OPTIONS);
    assert.ok(noUser.kind === 'event');
    assert.match(rejected(body({ user: { user_id: 'x' } })), /^user\.session_id: is required for AUTH_LOG_IN_SUCCESS events/);
    assert.match(rejected(body({ user: undefined })), /^user\.session_id: is required/);
  });

  it('when a session-less event carries the session "UNKNOWN", then it is stored under SESSION#UNKNOWN; any other event with it is rejected as not a UUID', () => {
    const unknown = parseTxmaEvent(body({ event_name: 'AUTH_ACCOUNT_DELETED', user: { session_id: 'UNKNOWN', user_id: 'urn:x:1' } }), OPTIONS);
    assert.ok(unknown.kind === 'event', JSON.stringify(unknown));
    assert.equal(unknown.event.pk, 'SESSION#UNKNOWN');
    assert.equal(rejected(body({ user: { session_id: 'UNKNOWN' } })), 'user.session_id: must be a UUID');
    assert.equal(rejected(body({ event_name: 'AUTH_ACCOUNT_DELETED', user: { session_id: 'unknown' } })), 'user.session_id: must be a UUID (or "UNKNOWN" for AUTH_ACCOUNT_DELETED events)');
  });

  it('when the session is malformed, then the event is rejected even for a session-less name', () => {
    assert.match(rejected(body({ user: { session_id: 'abc' } })), /^user\.session_id: must be a UUID/);
    assert.match(rejected(body({ event_name: 'AUTH_ACCOUNT_DELETED', user: { session_id: 42 } })), /^user\.session_id: must be a string/);
    assert.match(rejected(body({ user: 'someone' })), /^user: must be an object/);
  });

  it('when the event name is missing or not allowed, then it is rejected naming it', () => {
    assert.match(rejected(body({ event_name: undefined })), /^event_name: is required/);
    assert.match(rejected(body({ event_name: 'AUTH_SOMETHING_ELSE' })), /^event_name: "AUTH_SOMETHING_ELSE" is not an allowed TxMA event/);
  });

  it('when the timestamp is missing or malformed, then it is rejected', () => {
    assert.match(rejected(body({ timestamp: undefined })), /^timestamp: is required/);
    for (const timestamp of [-1, 1.5, 'next#week', '', true]) assert.match(rejected(body({ timestamp })), /^timestamp: /);
  });

  it('when the body is not an object, then it is rejected', () => {
    for (const value of [null, 'AUTH_LOG_IN_SUCCESS', 7, [body()]]) assert.match(rejected(value), /must be a JSON object/);
  });

  it('when the route is built from configuration, then it uses the configured allow-lists', () => {
    const config = loadConfig({ CASCADE_TXMA_EVENT_NAMES: 'A_ONE, B_TWO', CASCADE_TXMA_SESSIONLESS_EVENT_NAMES: 'B_TWO' }, ['client']);
    const route = createRoutes(config)['audit-events'];
    const context = { messageId: 'm', sentAt: new Date() };
    assert.equal(route.parse(body({ event_name: 'B_TWO', user: undefined }), context).kind, 'event');
    assert.equal(route.parse(body({ event_name: 'AUTH_LOG_IN_SUCCESS' }), context).kind, 'rejected');
  });
});
