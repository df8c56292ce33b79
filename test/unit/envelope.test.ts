import assert from 'node:assert/strict';
import { decodeEnvelope } from '../../src/bridge/envelope';

describe('decodeEnvelope', () => {
  const event = { event: 'delete', uid: 'abc', iss: 'api.accounts.firefox.com' };

  it('when the body is raw JSON, then it is the payload', () => {
    assert.deepEqual(decodeEnvelope(JSON.stringify(event)), { ok: true, kind: 'raw', body: event });
  });

  it('when the body is an SNS Notification, then its Message is the payload', () => {
    const sns = { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: JSON.stringify(event), Timestamp: '2026-01-01T00:00:00Z' };
    assert.deepEqual(decodeEnvelope(JSON.stringify(sns)), { ok: true, kind: 'sns', body: event });
  });

  it('when the body is the {"Message": "<json>"} double encoding, then the inner JSON is the payload', () => {
    assert.deepEqual(decodeEnvelope(JSON.stringify({ Message: JSON.stringify(event) })), { ok: true, kind: 'message', body: event });
  });

  it('when an object merely has a Message field among its own data, then it stays raw', () => {
    const body = { Message: 'hello', event: 'x' };
    assert.deepEqual(decodeEnvelope(JSON.stringify(body)), { ok: true, kind: 'raw', body });
  });

  it('when the body is not JSON, then it fails with the parser reason', () => {
    const decoded = decodeEnvelope('not json {');
    assert.equal(decoded.ok, false);
    assert.match(decoded.ok ? '' : decoded.reason, /^body is not JSON: /);
  });

  it('when the body is empty or blank, then it fails as empty', () => {
    assert.deepEqual(decodeEnvelope(''), { ok: false, reason: 'empty message body' });
    assert.deepEqual(decodeEnvelope('   '), { ok: false, reason: 'empty message body' });
    assert.deepEqual(decodeEnvelope(undefined), { ok: false, reason: 'empty message body' });
  });

  it('when an SNS Notification carries a non-JSON Message, then it fails naming the envelope', () => {
    const decoded = decodeEnvelope(JSON.stringify({ Type: 'Notification', Message: 'plain text' }));
    assert.equal(decoded.ok, false);
    assert.match(decoded.ok ? '' : decoded.reason, /^SNS Notification carries a Message that is not JSON/);
  });

  it('when a {"Message"} envelope carries a non-JSON string, then it fails naming the envelope', () => {
    const decoded = decodeEnvelope(JSON.stringify({ Message: '{broken' }));
    assert.equal(decoded.ok, false);
    assert.match(decoded.ok ? '' : decoded.reason, /^"Message" envelope carries a Message that is not JSON/);
  });
});
