import { inspect } from 'node:util';

/** Bytes of an AES-256 key. */
export const PAYLOAD_KEY_BYTES = 32;

/** What a key ID may look like: it travels in plaintext payload metadata. */
export const PAYLOAD_KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One payload encryption key with its ID. The key bytes never show up in
 * logs: JSON and `util.inspect` render only the ID.
 */
export class PayloadKey {
  /** Written into `encryption-key-id` of every payload this key encrypts. */
  readonly id: string;
  readonly #bytes: Buffer;

  /** @throws TypeError when the ID has unsafe characters or the key is not 32 bytes */
  constructor(id: string, bytes: Uint8Array) {
    if (!PAYLOAD_KEY_ID_PATTERN.test(id)) throw new TypeError(`payload key ID "${id}" must be 1–64 characters of A-Z a-z 0-9 . _ -`);
    if (bytes.length !== PAYLOAD_KEY_BYTES) throw new TypeError(`payload key "${id}" must be ${PAYLOAD_KEY_BYTES} bytes, got ${bytes.length}`);
    this.id = id;
    this.#bytes = Buffer.from(bytes);
  }

  /** The AES-256 key bytes. */
  get bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `PayloadKey(${this.id})`;
  }
}

/** The result of {@link toPayloadKeys}: keys newest first, or the problems found. */
export interface PayloadKeysParse {
  readonly keys: PayloadKey[];
  /** One sentence per problem; never contains key material. */
  readonly problems: string[];
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses `keyId:base64key,keyId:base64key` (the form of
 * `CASCADE_PAYLOAD_KEYS`), newest key first. Blank entries are skipped, so an
 * empty text means no keys.
 */
export function toPayloadKeys(text: string): PayloadKeysParse {
  const keys: PayloadKey[] = [];
  const problems: string[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  entries.forEach((entry, index) => {
    const position = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${position} must be keyId:base64key (no ":" found)`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!PAYLOAD_KEY_ID_PATTERN.test(id)) {
      // Not echoed: a swapped entry (base64key:keyId) would put key material here.
      problems.push(`${position}: the key ID (before ":") must be 1–64 characters of A-Z a-z 0-9 . _ - (it is stored in plaintext payload metadata)`);
      return;
    }
    if (keys.some((key) => key.id === id)) {
      problems.push(`key ID "${id}" is listed more than once; every key needs its own ID`);
      return;
    }
    const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (bytes === undefined || bytes.length !== PAYLOAD_KEY_BYTES) {
      const got = bytes === undefined ? 'not base64' : `${bytes.length} bytes`;
      problems.push(`key "${id}" must be ${PAYLOAD_KEY_BYTES} random bytes in base64 (got ${got}); make one with \`openssl rand -base64 32\``);
      return;
    }
    keys.push(new PayloadKey(id, bytes));
  });
  return { keys, problems };
}
