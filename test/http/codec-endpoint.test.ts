import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  EncryptionCodec,
  type JsonPayload,
  type JsonPayloads,
  PayloadKey,
  createCodecEndpoint,
  fromJsonPayload,
  toJsonPayload,
} from '../../src/codec';
import { createHttpServer } from '../../src/http/http-server';
import { createMetrics } from '../../src/metrics/metrics';
import { createTestLogger } from '../support/e2e-harness';

const UI_ORIGIN = 'http://127.0.0.1:8233';
const TOKEN = 'codec-token-0123456789abcdef';
const EMAIL = 'u42@api.accounts.firefox.com';

function createApp(options: { codec?: EncryptionCodec; token?: string } = {}) {
  return createHttpServer({
    metrics: createMetrics({ defaultMetrics: false }),
    readinessChecks: [],
    logger: createTestLogger(),
    plugins: [createCodecEndpoint({ codec: options.codec, corsOrigins: [UI_ORIGIN], token: options.token })],
  });
}

const plain: JsonPayload = toJsonPayload(defaultPayloadConverter.toPayload({ email: EMAIL }));

describe('POST /codec/decode and /codec/encode (fastify)', () => {
  const codec = new EncryptionCodec([new PayloadKey('k1', randomBytes(32))]);

  async function post(app: ReturnType<typeof createApp>, direction: 'decode' | 'encode', body: unknown, headers: Record<string, string> = {}) {
    return app.inject({ method: 'POST', url: `/codec/${direction}`, headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, payload: JSON.stringify(body) });
  }

  it('when payloads are encoded then decoded through the endpoint, then the originals come back and the encoded ones hide them', async () => {
    const app = createApp({ codec });
    const encoded = await post(app, 'encode', { payloads: [plain] });
    assert.equal(encoded.statusCode, 200, encoded.body);
    const stored = encoded.json<JsonPayloads>();
    assert.equal(Buffer.from(stored.payloads[0]?.metadata?.encoding ?? '', 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(stored.payloads[0]?.data ?? '', 'base64').toString().includes(EMAIL));

    const decoded = await post(app, 'decode', stored);
    assert.equal(decoded.statusCode, 200, decoded.body);
    const [payload] = decoded.json<JsonPayloads>().payloads;
    assert.deepEqual(defaultPayloadConverter.fromPayload(fromJsonPayload(payload ?? {})), { email: EMAIL });
    await app.close();
  });

  it('when no key is configured, then the endpoint answers with the payloads unchanged', async () => {
    const app = createApp();
    for (const direction of ['decode', 'encode'] as const) {
      const response = await post(app, direction, { payloads: [plain] });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json<JsonPayloads>(), { payloads: [plain] });
    }
    await app.close();
  });

  it('when the body is malformed, then it gets 400 naming the problem', async () => {
    const app = createApp({ codec });
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^payloads: is required: an array of payloads$/],
      [[], /^body: body must be a JSON object/],
      [{ payloads: [{ data: 'not base64!' }] }, /^payloads\.0\.data: must be base64$/],
      [{ payloads: [plain, { metadata: { encoding: 5 } }] }, /^payloads\.1\.metadata\.encoding: must be a base64 string$/],
      [{ payloads: ['x'] }, /^payloads\.0: must be an object/],
    ];
    for (const [body, reason] of cases) {
      const response = await post(app, 'decode', body);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
      assert.match(response.json<{ message: string }>().message, reason);
    }
    const notJson = await app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json' }, payload: '{"payloads": [' });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.body, /JSON/);
    await app.close();
  });

  it('when an encrypted payload was altered, then decode answers 422 with the reason', async () => {
    const app = createApp({ codec });
    const [stored] = (await post(app, 'encode', { payloads: [plain] })).json<JsonPayloads>().payloads;
    const data = Buffer.from(stored?.data ?? '', 'base64');
    data[20] = (data[20] ?? 0) ^ 0xff;
    const response = await post(app, 'decode', { payloads: [{ ...stored, data: data.toString('base64') }] });
    assert.equal(response.statusCode, 422, response.body);
    assert.match(response.json<{ message: string }>().message, /^PayloadDecryptionError: encrypted payload does not authenticate with key "k1"/);
    await app.close();
  });

  it('when a token is configured, then requests without it or with a wrong one get 401 and the right one passes', async () => {
    const app = createApp({ codec, token: TOKEN });
    const missing = await post(app, 'decode', { payloads: [plain] }, { origin: UI_ORIGIN });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="cascade-codec"');
    assert.equal(missing.headers['access-control-allow-origin'], UI_ORIGIN, 'the browser can read the 401');
    assert.equal((await post(app, 'decode', { payloads: [plain] }, { authorization: `Bearer ${TOKEN}x` })).statusCode, 401);
    assert.equal((await post(app, 'decode', { payloads: [plain] }, { authorization: `Bearer ${TOKEN}` })).statusCode, 200);
    await app.close();
  });

  it('when a browser preflights from an allowed origin, then the answer allows POST with the headers the Web UI sends, without a token', async () => {
    const app = createApp({ codec, token: TOKEN });
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    assert.equal(response.statusCode, 204, response.body);
    assert.equal(response.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.match(String(response.headers['access-control-allow-methods']), /POST/);
    const allowed = String(response.headers['access-control-allow-headers']).toLowerCase().split(',').map((h) => h.trim());
    for (const header of ['content-type', 'x-namespace', 'authorization']) assert.ok(allowed.includes(header), `${header} in ${allowed.join(',')}`);
    await app.close();
  });

  it('when a browser calls from another origin, then no CORS header allows it', async () => {
    const app = createApp({ codec });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const crossOrigin = await post(app, 'decode', { payloads: [plain] }, { origin: 'https://evil.example.com' });
    assert.equal(crossOrigin.headers['access-control-allow-origin'], undefined);
    await app.close();
  });

  it('when the codec endpoint is mounted, then other endpoints get no CORS headers', async () => {
    const app = createApp({ codec });
    const response = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: UI_ORIGIN } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['access-control-allow-origin'], undefined);
    await app.close();
  });
});
