import { createHash, createHmac } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values serialize equally. */
export function toCanonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/**
 * A stable, PII-free event key: the SHA-256 of the canonical JSON of the event,
 * hex encoded. The same event always gets the same key whatever its field order.
 */
export function toDigestEventKey(event: unknown): string {
  return createHash('sha256').update(toCanonicalJson(event)).digest('hex');
}

/**
 * A keyed event key: the HMAC-SHA256 of the canonical JSON of the event under
 * `secret`, hex encoded. Whoever lacks the secret cannot recompute it from a
 * guessed event (e.g. a guessed email), so a workflow ID confirms nothing.
 * Without a secret it is {@link toDigestEventKey} (the keys before secrets existed).
 */
export function toKeyedEventKey(event: unknown, secret: string | undefined): string {
  if (secret === undefined) return toDigestEventKey(event);
  return createHmac('sha256', secret).update(toCanonicalJson(event)).digest('hex');
}
