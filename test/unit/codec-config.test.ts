import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');

function issuesOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, ['client']);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.issues.map((i) => `${i.variable}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('configuration of payload encryption and the codec endpoint', () => {
  it('when nothing is set, then payloads are not encrypted and the codec endpoint allows the Web UI origin without a token', () => {
    const config = loadConfig({}, ['client']);
    assert.deepEqual(config.payloadKeys, []);
    assert.deepEqual(config.codecEndpoint, { corsOrigins: ['http://localhost:8233'], token: undefined });
  });

  it('when TEMPORAL_UI_URL has a path, then the default CORS origin is its origin only', () => {
    const config = loadConfig({ TEMPORAL_UI_URL: 'https://temporal.example.com:8443/ui/' }, ['client']);
    assert.deepEqual(config.codecEndpoint.corsOrigins, ['https://temporal.example.com:8443']);
  });

  it('when keys are listed, then they keep their order (first = newest, encrypts) and their bytes', () => {
    const config = loadConfig({ CASCADE_PAYLOAD_KEYS: ` 2026-01:${KEY_A} , 2025.07_old:${KEY_B},` }, ['client']);
    assert.deepEqual(config.payloadKeys.map((k) => k.id), ['2026-01', '2025.07_old']);
    assert.equal(config.payloadKeys[0]?.bytes.toString('base64'), KEY_A);
    assert.equal(config.payloadKeys[1]?.bytes.toString('base64'), KEY_B);
  });

  it('when CASCADE_PAYLOAD_KEYS is empty, then payloads are not encrypted', () => {
    assert.deepEqual(loadConfig({ CASCADE_PAYLOAD_KEYS: '' }, ['client']).payloadKeys, []);
  });

  it('when keys are malformed, then every problem is reported with what to do, and no key material is echoed', () => {
    const short = randomBytes(16).toString('base64');
    const issues = issuesOf({
      CASCADE_PAYLOAD_KEYS: [`k1:${KEY_A}`, `k1:${KEY_B}`, `short:${short}`, 'nocolon', `bad id:${KEY_A}`, 'junk:***notbase64***', `${KEY_B}:swapped`].join(','),
    });
    const keyIssues = issues.filter((i) => i.startsWith('CASCADE_PAYLOAD_KEYS: '));
    assert.equal(keyIssues.length, 6, issues.join('\n'));
    assert.ok(keyIssues.some((i) => i.includes('key ID "k1" is listed more than once')));
    assert.ok(keyIssues.some((i) => i.includes('key "short" must be 32 random bytes in base64 (got 16 bytes); make one with `openssl rand -base64 32`')));
    assert.ok(keyIssues.some((i) => i.includes('entry 4 must be keyId:base64key')));
    assert.ok(keyIssues.some((i) => i.includes('entry 5: the key ID (before ":") must be 1–64 characters of A-Z a-z 0-9 . _ -')));
    assert.ok(keyIssues.some((i) => i.includes('entry 7: the key ID (before ":") must be')), 'a swapped entry (key:id) is reported without its key');
    assert.ok(keyIssues.some((i) => i.includes('key "junk" must be 32 random bytes in base64 (got not base64)')));
    for (const secret of [KEY_A, KEY_B, short]) assert.ok(!issues.join('\n').includes(secret), 'key material must not appear in errors');
  });

  it('when CORS origins are listed, then malformed ones are rejected and good ones are kept', () => {
    const config = loadConfig({ CASCADE_CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://127.0.0.1:8233' }, ['client']);
    assert.deepEqual(config.codecEndpoint.corsOrigins, ['https://temporal.example.com', 'http://127.0.0.1:8233']);

    const issues = issuesOf({ CASCADE_CODEC_CORS_ORIGINS: 'https://temporal.example.com/ui,*,ftp://files.example.com' });
    assert.equal(issues.length, 3, issues.join('\n'));
    assert.ok(issues.every((i) => i.startsWith('CASCADE_CODEC_CORS_ORIGINS: ') && i.includes('is not an origin: use scheme://host[:port] without a path')));
  });

  it('when the codec token is short, then it is rejected; when long enough, then it is required by the endpoint', () => {
    assert.deepEqual(issuesOf({ CASCADE_CODEC_TOKEN: 'short' }), ['CASCADE_CODEC_TOKEN: must be at least 16 characters']);
    assert.equal(loadConfig({ CASCADE_CODEC_TOKEN: 'a-token-of-enough-length' }, ['client']).codecEndpoint.token, 'a-token-of-enough-length');
    assert.equal(loadConfig({ CASCADE_CODEC_TOKEN: '' }, ['client']).codecEndpoint.token, undefined);
  });
});
