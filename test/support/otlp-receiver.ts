import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it (the fields the tests read). */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly service: string;
  /** Every attribute value rendered as text (arrays and key-value lists joined, bytes decoded). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Event attributes and status message, rendered as text: they must hold no payload either. */
  readonly otherText: readonly string[];
}

/** An OTLP/HTTP (JSON) trace receiver in the test process, on 127.0.0.1. */
export interface OtlpReceiver {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter appends `/v1/traces`). */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  bytesValue?: string;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpKeyValue[];
  events?: Array<{ name?: string; attributes?: OtlpKeyValue[] }>;
  status?: { message?: string };
}
interface OtlpExport {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

function toText(value: OtlpValue | undefined): string {
  if (value === undefined) return '';
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(toText).join(',');
  if (value.kvlistValue) return (value.kvlistValue.values ?? []).map((kv) => `${kv.key}=${toText(kv.value)}`).join(',');
  if (value.bytesValue !== undefined) return Buffer.from(value.bytesValue, 'base64').toString('utf8');
  return String(value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? '');
}

function toRecord(attributes: readonly OtlpKeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((attributes ?? []).map((a) => [a.key, toText(a.value)]));
}

/** Starts a receiver that keeps every span posted to `/v1/traces` as JSON. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).includes('json')) {
        response.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = toRecord(resourceSpans.resource?.attributes)['service.name'] ?? '';
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId === '' ? undefined : span.parentSpanId,
              name: span.name,
              service,
              attributes: toRecord(span.attributes),
              otherText: [...(span.events ?? []).flatMap((e) => [e.name ?? '', ...Object.values(toRecord(e.attributes))]), span.status?.message ?? ''],
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
