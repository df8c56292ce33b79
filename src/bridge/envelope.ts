import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { MAX_JSON_DEPTH } from '../routes/json-inspection';
import { toErrorMessage } from '../errors/error-message';
import { isRecord } from '../shared/parse-helpers';

/** How a message body was wrapped on the way to the queue. */
export type EnvelopeKind = 'raw' | 'sns' | 'message';

/** Result of unwrapping one SQS message body. */
export type DecodedEnvelope =
  | { readonly ok: true; readonly kind: EnvelopeKind; readonly body: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * Unwraps a message body: raw JSON, an SNS `Notification` (its `Message` is
 * the payload) or the `{"Message": "<json>"}` double encoding some producers use.
 * Never throws; a body that is not JSON, or nests arrays and objects deeper
 * than {@link MAX_JSON_DEPTH} (checked on the text before parsing, without
 * recursion), is a failure with the reason. Reasons never quote the body.
 */
export function decodeEnvelope(raw: string | undefined): DecodedEnvelope {
  if (raw === undefined || raw.trim() === '') return { ok: false, reason: 'empty message body' };
  const outer = parseJson(raw);
  if (!outer.ok) return { ok: false, reason: `body ${outer.reason}` };
  const value = outer.value;
  if (!isRecord(value) || typeof value.Message !== 'string') return { ok: true, kind: 'raw', body: value };

  const isSns = value.Type === 'Notification';
  const kind: EnvelopeKind = isSns ? 'sns' : 'message';
  if (!isSns && Object.keys(value).some((key) => key !== 'Message' && !SNS_ENVELOPE_KEYS.has(key))) {
    return { ok: true, kind: 'raw', body: value };
  }
  const inner = parseJson(value.Message);
  if (!inner.ok) {
    return { ok: false, reason: `${isSns ? 'SNS Notification' : '"Message" envelope'} carries a Message that ${inner.reason}` };
  }
  return { ok: true, kind, body: inner.value };
}

const SNS_ENVELOPE_KEYS = new Set(['Type', 'MessageId', 'TopicArn', 'Subject', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);

/** Parses JSON text no deeper than {@link MAX_JSON_DEPTH}; the failure reason reads after "body …" / "a Message that …". */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const depth = measureJsonDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) return { ok: false, reason: `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (the most Cascade accepts)` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `is not JSON: ${toJsonErrorReason(error, text)}` };
  }
}

/**
 * The nesting depth of `[`/`{` in JSON text outside string literals, scanned
 * once without recursion; stops counting at `limit + 1`. Only meaningful for
 * text that parses; text that does not fails at `JSON.parse` anyway.
 */
export function measureJsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/**
 * The parser's reason without the text: V8 names the position of most syntax
 * errors (`Unterminated string in JSON at position 4`) but quotes the input
 * instead when a token is wrong (`Unexpected token 'h', "hello worl"... is not
 * valid JSON`, `"undefined" is not valid JSON`). Those become `unexpected
 * character at position N`, the offset jsonc-parser (strict: no comments, no
 * trailing commas) finds for the first error.
 */
function toJsonErrorReason(error: unknown, text: string): string {
  const message = toErrorMessage(error);
  if (!/is not valid JSON$/.test(message)) return message;
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  return first === undefined ? 'unexpected character' : `unexpected character at position ${first.offset}`;
}
