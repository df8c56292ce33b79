import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { isConfigError, loadConfig } from '../../src/config';
import { REDACTED, REDACTED_BODY, createLogger } from '../../src/logger';

/** A logger writing JSON lines into an array. */
function captureLogger(options: { logMessageBodies?: boolean } = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination, ...options }), lines };
}

const BASE = { HOME: '/nonexistent', CASCADE_QUEUE_URL_ACCOUNT_EVENTS: 'http://127.0.0.1:9324/000000000000/a', CASCADE_QUARANTINE_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/q', DATABASE_URL: 'postgresql://u:p@h:5432/d' };
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
/** NODE_ENV=production also requires the account-events event-key secret for the bridge. */
const EVENT_KEY_SECRET = randomBytes(32).toString('base64');

describe('PII and secrets', () => {
  it('when a message body, an email or an authorization header is logged, then the line shows them redacted', () => {
    const { logger, lines } = captureLogger();
    logger.debug({ messageId: 'm1', body: '{"email":"a@example.com","session":"s-1"}' }, 'message body');
    logger.info({ email: 'b@example.com', headers: { authorization: 'Bearer tok-123' }, req: { headers: { authorization: 'Bearer tok-456' } } }, 'request');
    logger.info({ connection: { apiKey: 'api-key-789' } }, 'connection');
    const text = lines.join('');
    for (const secret of ['a@example.com', 's-1', 'b@example.com', 'tok-123', 'tok-456', 'api-key-789']) assert.ok(!text.includes(secret), `${secret} is not logged: ${text}`);
    const [body] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(body?.body, REDACTED_BODY, 'the redacted body says how to log bodies');
    assert.match(REDACTED_BODY, /CASCADE_LOG_MESSAGE_BODIES=true/);
    assert.ok(text.includes(REDACTED));
  });

  it('when CASCADE_LOG_MESSAGE_BODIES is on, then bodies are logged but emails and credentials stay redacted', () => {
    const config = loadConfig({ ...BASE, CASCADE_LOG_MESSAGE_BODIES: 'true' }, ['client']);
    assert.equal(config.log.messageBodies, true);
    assert.equal(loadConfig(BASE, ['client']).log.messageBodies, false, 'off by default');
    const { logger, lines } = captureLogger({ logMessageBodies: config.log.messageBodies });
    logger.debug({ body: 'the-body', email: 'c@example.com' }, 'message body');
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(line?.body, 'the-body');
    assert.equal(line?.email, REDACTED);
  });

  it('when NODE_ENV=production and no payload keys are set, then bridge and worker refuse to start naming CASCADE_PAYLOAD_KEYS', () => {
    for (const roles of [['bridge'], ['worker']] as const) {
      assert.throws(
        () => loadConfig({ ...BASE, NODE_ENV: 'production' }, roles),
        (error: unknown) => isConfigError(error) && /CASCADE_PAYLOAD_KEYS: is required with NODE_ENV=production.*CASCADE_ALLOW_PLAINTEXT_PAYLOADS=true/.test(error.message),
      );
    }
    assert.doesNotThrow(() => loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_EVENT_KEY_SECRET: EVENT_KEY_SECRET, CASCADE_PAYLOAD_KEYS: KEYS }, ['bridge', 'worker']));
    assert.doesNotThrow(() => loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_EVENT_KEY_SECRET: EVENT_KEY_SECRET, CASCADE_ALLOW_PLAINTEXT_PAYLOADS: 'true' }, ['bridge', 'worker']));
    assert.doesNotThrow(() => loadConfig({ ...BASE, NODE_ENV: 'production' }, ['client']), 'operator commands write no payloads');
    assert.doesNotThrow(() => loadConfig(BASE, ['bridge', 'worker']), 'development runs without keys');
  });

  it('when CASCADE_REQUIRE_PAYLOAD_KEYS is set, then it decides regardless of NODE_ENV', () => {
    assert.throws(() => loadConfig({ ...BASE, CASCADE_REQUIRE_PAYLOAD_KEYS: 'true' }, ['bridge']), /CASCADE_PAYLOAD_KEYS: is required by CASCADE_REQUIRE_PAYLOAD_KEYS/);
    assert.doesNotThrow(() => loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_EVENT_KEY_SECRET: EVENT_KEY_SECRET, CASCADE_REQUIRE_PAYLOAD_KEYS: 'false' }, ['bridge']));
  });

  it('when NODE_ENV=production and the bridge serves account-events without CASCADE_EVENT_KEY_SECRET, then it refuses to start naming the variable and why', () => {
    assert.throws(
      () => loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_PAYLOAD_KEYS: KEYS }, ['bridge']),
      (error: unknown) =>
        isConfigError(error) &&
        error.issues.length === 1 &&
        /CASCADE_EVENT_KEY_SECRET: is required by the bridge for the account-events route with NODE_ENV=production.*guessed email.*openssl rand -base64 32/.test(error.message),
    );
    const config = loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_PAYLOAD_KEYS: KEYS, CASCADE_EVENT_KEY_SECRET: EVENT_KEY_SECRET }, ['bridge']);
    assert.equal(config.accountEvents.eventKeySecret, EVENT_KEY_SECRET);
    assert.doesNotThrow(() => loadConfig({ ...BASE, NODE_ENV: 'production', CASCADE_PAYLOAD_KEYS: KEYS }, ['worker', 'client']), 'only the bridge computes event keys');
    const otherRoute = { ...BASE, CASCADE_QUEUE_URL_ACCOUNT_EVENTS: '', CASCADE_QUEUE_URL_TASKS: 'http://127.0.0.1:9324/000000000000/t' };
    assert.doesNotThrow(() => loadConfig({ ...otherRoute, NODE_ENV: 'production', CASCADE_PAYLOAD_KEYS: KEYS }, ['bridge']), 'a bridge without account-events needs no secret');
    assert.equal(loadConfig(BASE, ['bridge']).accountEvents.eventKeySecret, undefined, 'development runs without a secret (plain SHA-256 keys)');
  });

  it('when CASCADE_EVENT_KEY_SECRET is shorter than 32 characters, then it is refused naming the variable', () => {
    assert.throws(() => loadConfig({ ...BASE, CASCADE_EVENT_KEY_SECRET: 'x'.repeat(31) }, ['bridge']), /CASCADE_EVENT_KEY_SECRET: must be at least 32 characters/);
    assert.equal(loadConfig({ ...BASE, CASCADE_EVENT_KEY_SECRET: '' }, ['bridge']).accountEvents.eventKeySecret, undefined, 'empty is unset');
  });
});
