import assert from 'node:assert/strict';
import { parseEmailArchiveMessage } from '../../src/routes/email-archive';
import { MAX_KEY_LOCAL_PART, toEmailArchiveKey, toKeyLocalPart } from '../../src/shared/email-archive';

const MESSAGE = { messageId: '5fea7756-0ea4-451a-a703-a558b933e274', sentAt: new Date('2026-11-24T07:08:09.123Z') };

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { email_subject: 'Quarterly report', email_sender: 'Alice.Smith@Example.com', email_timestream: '2026-11-24T07:08:00Z', email_content: 'Hello', ...overrides };
}

function without(field: string): Record<string, unknown> {
  const copy = body();
  delete copy[field];
  return copy;
}

function rejected(value: unknown): string {
  const outcome = parseEmailArchiveMessage(value, MESSAGE);
  assert.equal(outcome.kind, 'rejected', `expected rejected, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

describe('email-archive parsing', () => {
  it('when a valid message arrives, then the event carries the four fields and the delivery it came with', () => {
    const outcome = parseEmailArchiveMessage({ ...body(), extra: 'dropped' }, MESSAGE);
    assert.equal(outcome.kind, 'event');
    assert.ok(outcome.kind === 'event');
    assert.deepEqual(outcome.event, { messageId: MESSAGE.messageId, sentAt: '2026-11-24T07:08:09.123Z', email: body() });
    assert.match(outcome.eventKey, /^[0-9a-f]{64}$/);
    assert.equal(outcome.searchAttributes, undefined, 'no search attribute carries the sender');
  });

  it('when the same email is re-sent (another MessageId, time, field order), then the event key is the same', () => {
    const first = parseEmailArchiveMessage(body(), MESSAGE);
    const reordered = Object.fromEntries(Object.entries(body()).reverse());
    const again = parseEmailArchiveMessage(reordered, { messageId: 'other', sentAt: new Date() });
    const changed = parseEmailArchiveMessage(body({ email_content: 'Hello!' }), MESSAGE);
    assert.ok(first.kind === 'event' && again.kind === 'event' && changed.kind === 'event');
    assert.equal(first.eventKey, again.eventKey);
    assert.notEqual(first.eventKey, changed.eventKey);
    assert.ok(!first.eventKey.includes('alice'), 'no PII in the key');
  });

  it('when email_timestream is a number, then it is kept as a number', () => {
    const outcome = parseEmailArchiveMessage(body({ email_timestream: 1764000000 }), MESSAGE);
    assert.ok(outcome.kind === 'event');
    assert.equal(outcome.event.email.email_timestream, 1764000000);
  });

  it('when the body is not an object, then it is rejected', () => {
    for (const value of [null, 'text', 42, [body()]]) assert.match(rejected(value), /must be a JSON object/);
  });

  it('when a field is missing or not a string, then it is rejected naming the field', () => {
    for (const field of ['email_subject', 'email_sender', 'email_timestream', 'email_content']) {
      assert.match(rejected(without(field)), new RegExp(`^${field}: is required`));
    }
    assert.match(rejected(body({ email_subject: 7 })), /^email_subject: is required and must be a string/);
    assert.match(rejected(body({ email_content: { html: '<p>' } })), /^email_content: /);
    assert.match(rejected(body({ email_timestream: ' ' })), /^email_timestream: /);
    assert.match(rejected(body({ email_timestream: true })), /^email_timestream: /);
  });

  it('when the sender is not an email address, then it is rejected', () => {
    for (const sender of ['not-an-address', 'a@', '@b.com', 'a b@c.com', '']) assert.match(rejected(body({ email_sender: sender })), /^email_sender: must be an email address/);
  });
});

describe('email-archive keys', () => {
  it('when a key is derived, then it is prefix/YYYY/MM/DD/<local part>/<message_id>_<HHMMSS>.json in UTC', () => {
    const key = toEmailArchiveKey('emails', { messageId: MESSAGE.messageId, sentAt: '2026-11-24T23:59:58.999-02:00', email: { email_sender: 'Alice.Smith@Example.com' } });
    assert.equal(key, `emails/2026/11/25/alice.smith/${MESSAGE.messageId}_015958.json`);
  });

  it('when the prefix is empty or has slashes, then the key has no empty segment', () => {
    const event = { messageId: 'm-1', sentAt: '2026-01-02T03:04:05Z', email: { email_sender: 'bob@x.io' } };
    assert.equal(toEmailArchiveKey('', event), '2026/01/02/bob/m-1_030405.json');
    assert.equal(toEmailArchiveKey('/archive/mail/', event), 'archive/mail/2026/01/02/bob/m-1_030405.json');
  });

  it('when the local part is hostile, then only safe characters reach the key and .. never does', () => {
    assert.equal(toKeyLocalPart('Bob.Smith+News@Example.COM'), 'bob.smith_news');
    assert.equal(toKeyLocalPart('../../etc/passwd@x.com'), '_._etc_passwd');
    assert.equal(toKeyLocalPart('a..b...c@x.com'), 'a.b.c');
    assert.equal(toKeyLocalPart('\u0000\u001f/\\@x.com'), '____');
    assert.equal(toKeyLocalPart('"quoted@local"@x.com'), '_quoted_local_');
    assert.equal(toKeyLocalPart('...@x.com'), 'unknown');
    assert.equal(toKeyLocalPart('Ünïcødé@x.com'), '_n_c_d_');
    const long = toKeyLocalPart(`${'a'.repeat(63)}.${'b'.repeat(100)}@x.com`);
    assert.equal(long.length, MAX_KEY_LOCAL_PART - 1, 'a trailing dot left by the cut is dropped');
    for (const sender of ['../../x@y', 'a/../b@c', '..\\..@d', 'x\n/..@e']) {
      const key = toEmailArchiveKey('emails', { messageId: '../m', sentAt: '2026-01-02T03:04:05Z', email: { email_sender: sender } });
      assert.ok(!key.split('/').some((segment) => segment === '..' || segment === '' || segment === '.'), key);
      assert.ok(/^[A-Za-z0-9._/-]+$/.test(key), key);
    }
  });

  it('when sentAt is not a date, then deriving the key throws', () => {
    assert.throws(() => toEmailArchiveKey('emails', { messageId: 'm', sentAt: 'yesterday', email: { email_sender: 'a@b.c' } }), RangeError);
  });
});
