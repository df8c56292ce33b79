/**
 * Payload encryption for Temporal: an AES-256-GCM {@link EncryptionCodec}
 * with rotating keys, and the remote codec endpoint the Web UI decodes through.
 */
export { PayloadCodecError, PayloadDecryptionError, UnknownPayloadKeyError, isPayloadCodecError } from './codec-errors';
export { createPayloadCodec, toDataConverter } from './data-converter';
export { ENCRYPTED_ENCODING, EncryptionCodec, METADATA_ENCRYPTION_KEY_ID, isEncryptedPayload } from './encryption-codec';
export { PAYLOAD_KEY_BYTES, PAYLOAD_KEY_ID_PATTERN, PayloadKey, toPayloadKeys, type PayloadKeysParse } from './payload-key';
export { CODEC_ALLOWED_HEADERS, CODEC_BODY_LIMIT_BYTES, CODEC_ENDPOINT_PREFIX, CODEC_MAX_PAYLOADS, createCodecEndpoint, type CodecEndpointOptions } from './codec-endpoint';
export { fromJsonPayload, jsonPayloadsSchema, toJsonPayload, type JsonPayload, type JsonPayloads } from './json-payload';
