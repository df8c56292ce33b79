import { createHash } from 'node:crypto';

/**
 * Namespace of the event IDs this service derives (itself the UUIDv5 of
 * "cascade.entity-deleted" in the RFC 4122 URL namespace), so they never
 * collide with other UUIDv5 users of the same names.
 */
export const EVENT_ID_NAMESPACE = '37dc1387-964c-55a6-8e47-816c850bd7c5';

/** The kinds of event emitted per archived document. */
export type ArchiveEventKind = 'audit' | 'document';

/** Thrown when a namespace is not a UUID. */
export class InvalidUuidError extends Error {
  readonly value: string;

  constructor(value: string) {
    super(`not a UUID: ${JSON.stringify(value)}`);
    this.name = 'InvalidUuidError';
    this.value = value;
  }
}

/** RFC 4122 UUIDv5: SHA-1 of namespace bytes + name (UTF-8), with version and variant bits set. */
export function toUuidV5(name: string, namespace: string): string {
  const hex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new InvalidUuidError(namespace);
  const bytes = createHash('sha1').update(Buffer.from(hex, 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const out = bytes.toString('hex');
  return `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}`;
}

/**
 * The deterministic ID of the `kind` event of one archived document in one
 * cascade: the same cascade (workflow ID) and document always get the same ID,
 * so a retried page inserts, and a re-publish sends, nothing new.
 */
export function toArchiveEventId(workflowId: string, documentId: string, kind: ArchiveEventKind): string {
  return toUuidV5(`${workflowId}\n${documentId}\n${kind}`, EVENT_ID_NAMESPACE);
}
