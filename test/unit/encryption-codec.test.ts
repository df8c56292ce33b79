import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { type Payload, defaultPayloadConverter } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadDecryptionError,
  PayloadKey,
  UnknownPayloadKeyError,
  isEncryptedPayload,
  isPayloadCodecError,
} from '../../src/codec';

const EMAIL = 'u0123456789abcdef@api.accounts.firefox.com';

function createKey(id: string): PayloadKey {
  return new PayloadKey(id, randomBytes(32));
}

function toText(bytes: Uint8Array | null | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
}

/** A copy of `payload` whose data has one byte flipped at `index` (negative: from the end). */
function withFlippedByte(payload: Payload, index: number): Payload {
  const data = Buffer.from(payload.data ?? new Uint8Array());
  const at = index < 0 ? data.length + index : index;
  data[at] = (data[at] ?? 0) ^ 0x01;
  return { metadata: payload.metadata, data };
}

async function encodeOne(codec: EncryptionCodec, payload: Payload): Promise<Payload> {
  const [encoded] = await codec.encode([payload]);
  assert.ok(encoded);
  return encoded;
}

describe('EncryptionCodec (AES-256-GCM payload codec)', () => {
  const input = defaultPayloadConverter.toPayload({ route: 'account-events', event: { type: 'delete', email: EMAIL } });

  it('when payloads are encoded and decoded, then the originals come back and the stored form hides them', async () => {
    const codec = new EncryptionCodec([createKey('k1')]);
    const empty = defaultPayloadConverter.toPayload(undefined);
    const encoded = await codec.encode([input, empty]);

    assert.equal(encoded.length, 2);
    for (const payload of encoded) {
      assert.equal(toText(payload.metadata?.encoding), ENCRYPTED_ENCODING);
      assert.equal(toText(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]), 'k1');
      assert.deepEqual(Object.keys(payload.metadata ?? {}).sort(), ['encoding', METADATA_ENCRYPTION_KEY_ID].sort(), 'no original metadata leaks');
      assert.ok(isEncryptedPayload(payload));
    }
    assert.ok(!toText(encoded[0]?.data).includes(EMAIL));
    assert.ok(!toText(encoded[0]?.data).includes('json/plain'));

    const decoded = await codec.decode(encoded);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded[0] ?? {}), { route: 'account-events', event: { type: 'delete', email: EMAIL } });
    assert.equal(toText(decoded[0]?.metadata?.encoding), 'json/plain');
    assert.equal(defaultPayloadConverter.fromPayload(decoded[1] ?? {}), undefined);
  });

  it('when the same payload is encoded twice, then the ciphertexts differ (random IV)', async () => {
    const codec = new EncryptionCodec([createKey('k1')]);
    const [a, b] = await codec.encode([input, input]);
    assert.notDeepEqual(Buffer.from(a?.data ?? []), Buffer.from(b?.data ?? []));
  });

  it('when a new key is prepended, then old payloads still decode and new payloads use the new key ID', async () => {
    const oldKey = createKey('2025-01');
    const before = new EncryptionCodec([oldKey]);
    const stored = await encodeOne(before, input);

    const after = new EncryptionCodec([createKey('2026-01'), oldKey]);
    assert.equal(after.encryptingKeyId, '2026-01');
    const [decoded] = await after.decode([stored]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded ?? {}), defaultPayloadConverter.fromPayload(input));

    const fresh = await encodeOne(after, input);
    assert.equal(toText(fresh.metadata?.[METADATA_ENCRYPTION_KEY_ID]), '2026-01');
    await assert.rejects(before.decode([fresh]), UnknownPayloadKeyError, 'a process that only knows the old key cannot read the new payloads');
  });

  it('when a payload names a key that is not configured, then decode fails with UnknownPayloadKeyError naming the payload key but not the configured ones', async () => {
    const stored = await encodeOne(new EncryptionCodec([createKey('retired')]), input);
    const codec = new EncryptionCodec([createKey('current'), createKey('previous')]);
    await assert.rejects(codec.decode([stored]), (error: unknown) => {
      assert.ok(error instanceof UnknownPayloadKeyError, String(error));
      assert.ok(isPayloadCodecError(error));
      assert.equal(error.name, 'UnknownPayloadKeyError');
      assert.equal(error.keyId, 'retired');
      assert.deepEqual(error.knownKeyIds, ['current', 'previous']);
      assert.match(error.message, /key "retired", which is not configured here.*CASCADE_PAYLOAD_KEYS/);
      assert.doesNotMatch(error.message, /current|previous/, 'the configured key IDs are not listed');
      return true;
    });
  });

  it('when the ciphertext, the IV or the tag is altered, then decode fails with PayloadDecryptionError', async () => {
    const codec = new EncryptionCodec([createKey('k1')]);
    const stored = await encodeOne(codec, input);
    for (const index of [0, 12, 20, -1]) {
      await assert.rejects(codec.decode([withFlippedByte(stored, index)]), (error: unknown) => {
        assert.ok(error instanceof PayloadDecryptionError, `byte ${index}: ${String(error)}`);
        assert.equal(error.keyId, 'k1');
        assert.ok(error.cause instanceof Error, 'the crypto error is kept as cause');
        assert.match(error.message, /does not authenticate with key "k1"/);
        assert.ok(!error.message.includes(EMAIL));
        return true;
      });
    }
  });

  it('when the key ID metadata is switched to another configured key, then decode fails rather than misreading', async () => {
    const k1 = createKey('k1');
    const k2 = createKey('k2');
    const codec = new EncryptionCodec([k1, k2]);
    const stored = await encodeOne(codec, input);
    const relabelled: Payload = { metadata: { ...stored.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') }, data: stored.data };
    await assert.rejects(codec.decode([relabelled]), PayloadDecryptionError);
  });

  it('when a key ID is reused for other key bytes, then decode fails with PayloadDecryptionError', async () => {
    const stored = await encodeOne(new EncryptionCodec([createKey('k1')]), input);
    await assert.rejects(new EncryptionCodec([createKey('k1')]).decode([stored]), PayloadDecryptionError);
  });

  it('when an encrypted payload is truncated or has no key ID, then decode fails with PayloadDecryptionError', async () => {
    const codec = new EncryptionCodec([createKey('k1')]);
    const stored = await encodeOne(codec, input);
    await assert.rejects(codec.decode([{ metadata: stored.metadata, data: Buffer.alloc(27) }]), /shorter than its IV and tag/);
    await assert.rejects(codec.decode([{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data: stored.data }]), (error: unknown) => {
      assert.ok(error instanceof PayloadDecryptionError);
      assert.equal(error.keyId, undefined);
      assert.match(error.message, /no encryption-key-id metadata/);
      return true;
    });
  });

  it('when a payload is not encrypted, then decode passes it through unchanged', async () => {
    const codec = new EncryptionCodec([createKey('k1')]);
    const [decoded] = await codec.decode([input]);
    assert.equal(decoded, input);
  });

  it('when the codec is built without keys or with a repeated key ID, then it throws TypeError', () => {
    assert.throws(() => new EncryptionCodec([]), TypeError);
    assert.throws(() => new EncryptionCodec([createKey('k1'), createKey('k1')]), TypeError);
  });

  it('when a key is logged, then only its ID shows', () => {
    const bytes = randomBytes(32);
    const key = new PayloadKey('k1', bytes);
    for (const rendered of [JSON.stringify({ keys: [key] }), inspect(key), inspect({ keys: [key] })]) {
      assert.ok(rendered.includes('k1'), rendered);
      assert.ok(!rendered.includes(bytes.toString('base64')) && !rendered.includes(bytes.toString('hex')), rendered);
    }
    assert.throws(() => new PayloadKey('k1', randomBytes(16)), /must be 32 bytes, got 16/);
    assert.throws(() => new PayloadKey('bad id', randomBytes(32)), TypeError);
  });
});
