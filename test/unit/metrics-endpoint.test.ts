import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../src/http/http-server';
import { createMetrics } from '../../src/metrics/metrics';
import { createTemporalSdkMetricsSource } from '../../src/metrics/temporal-sdk-metrics';
import { closedPort } from '../support/closed-port';
import { createTestLogger } from '../support/e2e-harness';

const SDK_EXPOSITION = [
  '# HELP temporal_worker_task_slots_available Current number of available slots per task type',
  '# TYPE temporal_worker_task_slots_available gauge',
  'temporal_worker_task_slots_available{namespace="default",service_name="temporal-core-sdk",task_queue="cascade",worker_type="WorkflowWorker"} 40',
  '',
].join('\n');

describe('GET /metrics with the Temporal SDK metrics appended', () => {
  it("when the SDK's endpoint answers, then /metrics serves Cascade's metrics followed by the SDK's, labels kept", async () => {
    const sdk = http.createServer((request, response) => {
      response.writeHead(request.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain' }).end(SDK_EXPOSITION);
    });
    await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
    const { port } = sdk.address() as AddressInfo;
    const metrics = createMetrics({ defaultMetrics: false });
    const app = createHttpServer({ metrics, readinessChecks: [], logger: createTestLogger(), temporalSdkMetrics: createTemporalSdkMetricsSource(`http://127.0.0.1:${port}/metrics`) });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      assert.ok(response.body.includes('# TYPE cascade_messages_total counter'));
      assert.ok(response.body.endsWith(SDK_EXPOSITION), 'the SDK metrics come last, unchanged');
      assert.ok(response.body.indexOf('cascade_bridge_in_flight') < response.body.indexOf('temporal_worker_task_slots_available'));
    } finally {
      await app.close();
      await new Promise<void>((resolve) => sdk.close(() => resolve()));
    }
  });

  it("when the SDK's endpoint refuses connections, then /metrics still serves Cascade's metrics", async () => {
    const app = createHttpServer({
      metrics: createMetrics({ defaultMetrics: false }),
      readinessChecks: [],
      logger: createTestLogger(),
      temporalSdkMetrics: createTemporalSdkMetricsSource(`http://127.0.0.1:${await closedPort()}/metrics`),
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.ok(response.body.includes('# TYPE cascade_messages_total counter'));
      assert.doesNotMatch(response.body, /^temporal_/m);
    } finally {
      await app.close();
    }
  });
});
