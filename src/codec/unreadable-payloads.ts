import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { METADATA_ENCRYPTION_KEY_ID, isEncryptedPayload } from './encryption-codec';

/**
 * A codec for read-only operator views (`cascade failed`, `show`, `status`):
 * decodes what `inner` can and shows an encrypted payload it cannot decrypt
 * (no `CASCADE_PAYLOAD_KEYS`, or a key it lacks) as a short text naming the
 * key, instead of failing the whole listing. Never used where payloads are
 * sent back to Temporal (rerun, reset): there a placeholder would become input.
 */
export class UnreadablePayloadsAsText implements PayloadCodec {
  constructor(private readonly inner: PayloadCodec | undefined) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return this.inner === undefined ? payloads : this.inner.encode(payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload)));
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    if (this.inner !== undefined) {
      try {
        const [decoded] = await this.inner.decode([payload]);
        if (decoded !== undefined) return decoded;
      } catch (error) {
        if (!isEncryptedPayload(payload)) throw error;
      }
    }
    if (!isEncryptedPayload(payload)) return payload;
    const keyId = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    const key = keyId === undefined || keyId === null ? 'an unnamed key' : `key "${Buffer.from(keyId).toString('utf8')}"`;
    return toTextPayload(`<encrypted with ${key}, which CASCADE_PAYLOAD_KEYS of this process does not hold>`);
  }
}

function toTextPayload(text: string): Payload {
  return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain', 'utf8') }, data: Buffer.from(JSON.stringify(text), 'utf8') };
}
