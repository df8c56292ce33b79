/** How a message body was wrapped on the way to the queue. */
export type EnvelopeKind = 'raw' | 'sns' | 'message';

/** Result of unwrapping one SQS message body. */
export type DecodedEnvelope =
  | { readonly ok: true; readonly kind: EnvelopeKind; readonly body: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * Unwraps a message body: raw JSON, an SNS `Notification` (its `Message` is
 * the payload) or the `{"Message": "<json>"}` double encoding some producers use.
 * Never throws; a body that is not JSON is a failure with the reason.
 */
export function decodeEnvelope(raw: string | undefined): DecodedEnvelope {
  if (raw === undefined || raw.trim() === '') return { ok: false, reason: 'empty message body' };
  const outer = parseJson(raw);
  if (!outer.ok) return { ok: false, reason: `body is not JSON: ${outer.reason}` };
  const value = outer.value;
  if (!isRecord(value) || typeof value.Message !== 'string') return { ok: true, kind: 'raw', body: value };

  const isSns = value.Type === 'Notification';
  const kind: EnvelopeKind = isSns ? 'sns' : 'message';
  if (!isSns && Object.keys(value).some((key) => key !== 'Message' && !SNS_ENVELOPE_KEYS.has(key))) {
    return { ok: true, kind: 'raw', body: value };
  }
  const inner = parseJson(value.Message);
  if (!inner.ok) {
    return { ok: false, reason: `${isSns ? 'SNS Notification' : '"Message" envelope'} carries a Message that is not JSON: ${inner.reason}` };
  }
  return { ok: true, kind, body: inner.value };
}

const SNS_ENVELOPE_KEYS = new Set(['Type', 'MessageId', 'TopicArn', 'Subject', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
