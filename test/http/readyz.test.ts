import assert from 'node:assert/strict';
import { createHttpServer } from '../../src/http/http-server';
import { createMetrics } from '../../src/metrics/metrics';
import { createTestLogger } from '../support/e2e-harness';
import { closedPort } from '../support/closed-port';
import { toErrorMessage } from '../../src/errors/error-message';

describe('GET /readyz: details only for callers on this machine', () => {
  async function createApp() {
    const port = await closedPort();
    // A real failing check: a TCP connection to a port nobody listens on.
    const failing = {
      name: 'database',
      check: () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          () => undefined,
          (error: unknown) => {
            throw new Error(`cannot reach db-internal.example:5432 (${toErrorMessage(error)})`);
          },
        ),
    };
    return createHttpServer({ metrics: createMetrics({ defaultMetrics: false }), readinessChecks: [failing, { name: 'sqs', check: async () => undefined }], logger: createTestLogger() });
  }

  it('when a loopback caller asks and a dependency is down, then it gets 503 with the error of each failing check', async () => {
    const app = await createApp();
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await app.inject({ method: 'GET', url: '/readyz', remoteAddress });
      assert.equal(response.statusCode, 503);
      const body = response.json<{ checks: Record<string, { ok: boolean; error?: string }> }>();
      assert.match(body.checks.database?.error ?? '', /db-internal\.example/);
      assert.deepEqual(body.checks.sqs, { ok: true });
    }
    await app.close();
  });

  it('when a caller from another machine asks, then it gets only pass/fail per dependency', async () => {
    const app = await createApp();
    const response = await app.inject({ method: 'GET', url: '/readyz', remoteAddress: '10.1.2.3' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'unready', checks: { database: { ok: false }, sqs: { ok: true } } });
    assert.doesNotMatch(response.body, /db-internal/);
    await app.close();
  });
});
