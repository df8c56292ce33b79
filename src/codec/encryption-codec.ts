import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PayloadDecryptionError, UnknownPayloadKeyError } from './codec-errors';
import type { PayloadKey } from './payload-key';

/** `encoding` metadata of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key that encrypted a payload. */
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM encryption of Temporal payloads, with key rotation.
 *
 * `encode` serializes each whole payload (metadata included) as a
 * `temporal.api.common.v1.Payload` proto and encrypts it with the newest key
 * and a random 12-byte IV; the result has metadata `encoding:
 * binary/encrypted` and `encryption-key-id: <id>`, and data `IV ‖ ciphertext
 * ‖ tag` (the key ID is authenticated as associated data). `decode` reverses
 * it with whichever configured key the payload names; payloads that are not
 * encrypted pass through unchanged.
 */
export class EncryptionCodec implements PayloadCodec {
  readonly #newest: PayloadKey;
  readonly #keys: ReadonlyMap<string, PayloadKey>;

  /**
   * @param keys newest first: the first key encrypts, every key decrypts
   * @throws TypeError when there is no key or two keys share an ID
   */
  constructor(keys: readonly PayloadKey[]) {
    const [newest] = keys;
    if (newest === undefined) throw new TypeError('EncryptionCodec needs at least one key');
    const byId = new Map(keys.map((key) => [key.id, key]));
    if (byId.size !== keys.length) throw new TypeError('EncryptionCodec keys must have distinct IDs');
    this.#newest = newest;
    this.#keys = byId;
  }

  /** ID of the key new payloads are encrypted with. */
  get encryptingKeyId(): string {
    return this.#newest.id;
  }

  /** IDs of every key that decrypts, newest first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#encrypt(payload));
  }

  /**
   * @throws UnknownPayloadKeyError when a payload names a key that is not configured
   * @throws PayloadDecryptionError when a payload is malformed or does not authenticate
   */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.#decrypt(payload) : payload));
  }

  #encrypt(payload: Payload): Payload {
    const key = this.#newest;
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(key.id, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(key.id, 'utf8'),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  #decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (keyIdBytes === undefined || keyIdBytes === null || keyIdBytes.length === 0) {
      throw new PayloadDecryptionError(`encrypted payload has no ${METADATA_ENCRYPTION_KEY_ID} metadata`, undefined);
    }
    const keyId = Buffer.from(keyIdBytes).toString('utf8');
    const key = this.#keys.get(keyId);
    if (key === undefined) throw new UnknownPayloadKeyError(keyId, this.keyIds);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload is ${data.length} bytes, shorter than its IV and tag (${IV_BYTES + TAG_BYTES})`, keyId);
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(CIPHER, key.bytes, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new PayloadDecryptionError(
        `encrypted payload does not authenticate with key "${keyId}": it was altered, or encrypted with other key bytes under the same ID`,
        keyId,
        { cause: error },
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch (error) {
      throw new PayloadDecryptionError('decrypted payload is not a Temporal Payload proto', keyId, { cause: error });
    }
  }
}

/** True when the payload's `encoding` metadata is `binary/encrypted`. */
export function isEncryptedPayload(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}
