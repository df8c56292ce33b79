import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { CascadeConfig } from '../config';
import { EncryptionCodec } from './encryption-codec';

/**
 * The payload codec of this process: {@link EncryptionCodec} over
 * `CASCADE_PAYLOAD_KEYS`, or undefined when no key is configured (payloads
 * are stored as plain JSON). Build it once per process and hand it to the
 * Temporal client, the worker and the codec endpoint alike.
 */
export function createPayloadCodec(config: Pick<CascadeConfig, 'payloadKeys'>): PayloadCodec | undefined {
  return config.payloadKeys.length === 0 ? undefined : new EncryptionCodec(config.payloadKeys);
}

/**
 * The `dataConverter` option of a Temporal client or worker for `codec`:
 * undefined (the SDK default) without one.
 */
export function toDataConverter(codec: PayloadCodec | undefined): DataConverter | undefined {
  return codec === undefined ? undefined : { payloadCodecs: [codec] };
}
