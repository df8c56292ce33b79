/**
 * Whether the standard OpenTelemetry variables ask for traces: an OTLP
 * endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), the SDK is not disabled
 * (`OTEL_SDK_DISABLED`) and `OTEL_TRACES_EXPORTER` is not `none`.
 */
export function isTracingRequested(env: NodeJS.ProcessEnv): boolean {
  const endpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (endpoint === undefined) return false;
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return false;
  return nonEmpty(env.OTEL_TRACES_EXPORTER)?.toLowerCase() !== 'none';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
