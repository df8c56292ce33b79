import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  EncryptionCodec,
  type JsonPayload,
  type JsonPayloads,
  PayloadKey,
  createCodecEndpoint,
  CODEC_BODY_LIMIT_BYTES,
  CODEC_MAX_PAYLOADS,
  fromJsonPayload,
  toJsonPayload,
} from '../../src/codec';
import { isConfigError, loadConfig } from '../../src/config';
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
  it('when a token is configured and a request comes without it, then 401 is answered before the body is read', async () => {
    const app = createApp({ codec, token: TOKEN });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as net.AddressInfo;
    // Announces a 3 MB body and sends one byte of it: a handler-side check would wait for the rest.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /codec/decode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{`);
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no answer within 3 s: the server waited for the body'));
      }, 3000);
      socket.once('data', (data: Buffer) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.toString('latin1'));
      });
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 401 /);
    await app.close();
  });

  it('when the Web UI sends a big but allowed body (about 2 MiB), then it is decoded', async () => {
    const app = createApp({ codec, token: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const large = toJsonPayload(defaultPayloadConverter.toPayload({ note: 'x'.repeat(1536 * 1024) }));
    const encoded = await post(app, 'encode', { payloads: [large] }, auth);
    assert.equal(encoded.statusCode, 200, encoded.body);
    const body = encoded.body;
    assert.ok(body.length > 2 * 1024 * 1024 && body.length < CODEC_BODY_LIMIT_BYTES, `${body.length} bytes`);
    const decoded = await post(app, 'decode', encoded.json<JsonPayloads>(), auth);
    assert.equal(decoded.statusCode, 200, decoded.body.slice(0, 200));
    assert.deepEqual(decoded.json<JsonPayloads>().payloads, [large]);
    await app.close();
  });

  it('when the body is over the limit, then it gets 413 saying the limits', async () => {
    const app = createApp({ codec, token: TOKEN });
    const big = JSON.stringify({ payloads: [{ data: Buffer.alloc(CODEC_BODY_LIMIT_BYTES).toString('base64') }] });
    const response = await post(app, 'decode', JSON.parse(big), { authorization: `Bearer ${TOKEN}` });
    assert.equal(response.statusCode, 413, response.body);
    assert.equal(CODEC_BODY_LIMIT_BYTES, 4 * 1024 * 1024);
    assert.match(response.json<{ message: string }>().message, /over 4194304 bytes; send at most 1000 payloads/);
    await app.close();
  });

  it('when a request holds more payloads than the cap, then it gets 400 before any is decoded', async () => {
    const app = createApp({ codec });
    const response = await post(app, 'decode', { payloads: Array.from({ length: CODEC_MAX_PAYLOADS + 1 }, () => ({})) });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json<{ message: string }>().message, /^payloads: 1001 in one request, at most 1000 allowed/);
    const atCap = await post(app, 'encode', { payloads: Array.from({ length: CODEC_MAX_PAYLOADS }, () => plain) });
    assert.equal(atCap.statusCode, 200);
    await app.close();
  });

  it('when the body is not JSON, then the 400 does not quote it', async () => {
    const app = createApp({ codec });
    const response = await app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json' }, payload: 'secret-session-id-123 {' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /not valid JSON/);
    assert.doesNotMatch(response.body, /secret-session-id/);
    await app.close();
  });

  it('when a payload was encrypted with a key that is not configured, then the 422 names its key but not the configured ones', async () => {
    const app = createApp({ codec });
    const retired = createApp({ codec: new EncryptionCodec([new PayloadKey('retired-2025', randomBytes(32))]) });
    const stored = (await post(retired, 'encode', { payloads: [plain] })).json<JsonPayloads>();
    const response = await post(app, 'decode', stored);
    assert.equal(response.statusCode, 422, response.body);
    assert.match(response.body, /retired-2025/);
    assert.doesNotMatch(response.body, /"k1"|k1[,)]/, 'the configured key ID is not listed');
    await app.close();
    await retired.close();
  });

  it('when payload keys are set and HTTP binds beyond loopback without a codec token, then the process refuses to start', () => {
    const env = { HOME: '/nonexistent', CASCADE_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` };
    assert.throws(
      () => loadConfig({ ...env, CASCADE_HTTP_HOST: '0.0.0.0' }, ['http']),
      (error: unknown) => isConfigError(error) && /CASCADE_CODEC_TOKEN: is required when payloads are encrypted/.test(error.message),
    );
    assert.doesNotThrow(() => loadConfig({ ...env, CASCADE_HTTP_HOST: '0.0.0.0', CASCADE_CODEC_TOKEN: TOKEN }, ['http']));
    assert.doesNotThrow(() => loadConfig({ ...env, CASCADE_HTTP_HOST: '127.0.0.1' }, ['http']));
    assert.doesNotThrow(() => loadConfig({ ...env, CASCADE_HTTP_HOST: '0.0.0.0' }, ['client']), 'a process without HTTP needs no token');
  });
});
