import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createAccountEventsRoute, parseAccountEvent, toAccountEventKey } from '../../src/routes/account-events';
import { toCanonicalJson, toDigestEventKey } from '../../src/routes/event-key';
import { createRoutes } from '../../src/routes/registry';
import type { AccountEvent } from '../../src/shared/account-event';

const ISS = 'api.accounts.firefox.com';
const SECRET = 'a-test-secret-of-at-least-32-characters-0001';
const OTHER_SECRET = 'a-test-secret-of-at-least-32-characters-0002';
const MESSAGE = { messageId: 'm1', sentAt: new Date(0) };
const BODY = { event: 'reset', uid: 'victim', iss: ISS, generation: 1700000000123 };
const EVENT: AccountEvent = { type: 'reset', email: `victim@${ISS}`, generation: 1700000000123 };

function keyOf(outcome: ReturnType<typeof parseAccountEvent>): string {
  assert.equal(outcome.kind, 'event', `expected an event, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'event' ? outcome.eventKey : '';
}

describe('account-events event key', () => {
  it('when a secret is configured, then the key is the HMAC-SHA256 of the canonical event under it, not its plain SHA-256', () => {
    const key = keyOf(parseAccountEvent(BODY, SECRET));
    assert.equal(key, createHmac('sha256', SECRET).update(toCanonicalJson(EVENT)).digest('hex'));
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.notEqual(key, toDigestEventKey(EVENT));
  });

  it('when the same event comes again (any field order), then it gets the same key; a different secret gives a different key', () => {
    const again = keyOf(parseAccountEvent({ generation: 1700000000123, iss: ISS, uid: 'victim', event: 'reset' }, SECRET));
    assert.equal(again, keyOf(parseAccountEvent(BODY, SECRET)));
    assert.equal(again, toAccountEventKey(EVENT, SECRET));
    assert.notEqual(toAccountEventKey(EVENT, OTHER_SECRET), again);
    assert.notEqual(toAccountEventKey({ ...EVENT, generation: 1700000000124 }, SECRET), again, 'another event, another key');
  });

  it('when an attacker guesses the email and hashes the event without the secret, then the guess does not match the key', () => {
    const key = keyOf(parseAccountEvent(BODY, SECRET));
    const guesses = [toCanonicalJson(EVENT), JSON.stringify(EVENT), JSON.stringify(BODY), EVENT.email];
    for (const guess of guesses) assert.notEqual(createHash('sha256').update(guess).digest('hex'), key, `sha256(${guess}) confirms nothing`);
  });

  it('when no secret is configured, then the key is the plain SHA-256 of the canonical event, as before the secret existed', () => {
    assert.equal(keyOf(parseAccountEvent(BODY)), createHash('sha256').update(toCanonicalJson(EVENT)).digest('hex'));
    assert.equal(toAccountEventKey(EVENT, undefined), toDigestEventKey(EVENT));
  });

  it('when the routes are built from the configuration, then the account-events route keys with CASCADE_EVENT_KEY_SECRET', () => {
    const env = { CASCADE_QUEUE_URL_ACCOUNT_EVENTS: 'http://127.0.0.1:9324/000000000000/a', CASCADE_QUARANTINE_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/q' };
    const keyed = createRoutes(loadConfig({ ...env, CASCADE_EVENT_KEY_SECRET: SECRET }, ['bridge']))['account-events'];
    assert.equal(keyOf(keyed.parse(BODY, MESSAGE) as ReturnType<typeof parseAccountEvent>), toAccountEventKey(EVENT, SECRET));
    const plain = createAccountEventsRoute(loadConfig(env, ['bridge']));
    assert.equal(keyOf(plain.parse(BODY, MESSAGE)), toDigestEventKey(EVENT));
  });
});
