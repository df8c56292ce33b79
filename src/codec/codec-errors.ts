/**
 * Thrown when a payload carries `encoding: binary/encrypted` but cannot be
 * decrypted. Subclasses say why; none of them carries plaintext or key bytes.
 */
export class PayloadCodecError extends Error {
  /** The `encryption-key-id` of the payload, when it has one. */
  readonly keyId: string | undefined;

  constructor(message: string, keyId: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PayloadCodecError';
    this.keyId = keyId;
  }
}

/**
 * Thrown when a payload was encrypted with a key ID that is not configured,
 * e.g. an old key was removed from `CASCADE_PAYLOAD_KEYS` while histories
 * encrypted with it are still read.
 */
export class UnknownPayloadKeyError extends PayloadCodecError {
  declare readonly keyId: string;
  /** The key IDs this process knows, newest first (for logs; never in the message). */
  readonly knownKeyIds: readonly string[];

  constructor(keyId: string, knownKeyIds: readonly string[]) {
    super(
      // The configured IDs stay out of the message (it reaches the Web UI and workflow histories); logs read `knownKeyIds`.
      `payload was encrypted with key "${keyId}", which is not configured here; add that key back to CASCADE_PAYLOAD_KEYS (after the newest) to read it`,
      keyId,
    );
    this.name = 'UnknownPayloadKeyError';
    this.knownKeyIds = knownKeyIds;
  }
}

/**
 * Thrown when an encrypted payload does not authenticate (tampered, truncated,
 * or encrypted with different key bytes under the same ID) or is malformed.
 */
export class PayloadDecryptionError extends PayloadCodecError {
  constructor(message: string, keyId: string | undefined, options?: { cause?: unknown }) {
    super(message, keyId, options);
    this.name = 'PayloadDecryptionError';
  }
}

/** True when `error` is a {@link PayloadCodecError} (any subclass). */
export function isPayloadCodecError(error: unknown): error is PayloadCodecError {
  return error instanceof PayloadCodecError;
}
