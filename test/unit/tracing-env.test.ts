import assert from 'node:assert/strict';
import { startTracingForCommand } from '../../src/telemetry/preload';
import { isTracingRequested } from '../../src/telemetry/tracing-env';

const ENDPOINT = 'http://127.0.0.1:4318';

const isLoaded = (pkg: string) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`));

describe('tracing configuration (standard OTEL_* variables)', () => {
  it('when no OTLP endpoint is set, then tracing is off', () => {
    assert.equal(isTracingRequested({}), false);
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), false);
    assert.equal(isTracingRequested({ OTEL_SERVICE_NAME: 'cascade' }), false);
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT or the traces endpoint is set, then tracing is on', () => {
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }), true);
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/v1/traces` }), true);
  });

  it('when the SDK is disabled or the traces exporter is none, then tracing is off despite an endpoint', () => {
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'true' }), false);
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.equal(isTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }), true);
  });

  it('when a service command runs without an endpoint, or an operator command with one, then nothing of the OpenTelemetry SDK is loaded', () => {
    assert.equal(startTracingForCommand(['node', 'cascade', 'worker'], {}), false);
    assert.equal(startTracingForCommand(['node', 'cascade', '--log-level', 'debug', 'bridge'], {}), false);
    assert.equal(startTracingForCommand(['node', 'cascade', 'status'], { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }), false);
    assert.equal(startTracingForCommand(['node', 'cascade', '--log-level', 'worker', 'failed'], { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }), false);
    assert.equal(isLoaded('@opentelemetry/sdk-trace-node'), false);
    assert.equal(isLoaded('@opentelemetry/exporter-trace-otlp-http'), false);
  });
});
