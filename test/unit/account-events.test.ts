import assert from 'node:assert/strict';
import { parseAccountEvent } from '../../src/routes/account-events';
import { toWorkflowId } from '../../src/routes/route';

const ISS = 'api.accounts.firefox.com';

function rejected(body: unknown): string {
  const outcome = parseAccountEvent(body);
  assert.equal(outcome.kind, 'rejected', `expected rejected, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

describe('account-events parsing', () => {
  it('when a delete has uid and iss, then the user is uid@iss', () => {
    const outcome = parseAccountEvent({ event: 'delete', uid: 'u1', iss: ISS, ts: 1700000000.5 });
    assert.equal(outcome.kind, 'event');
    assert.deepEqual(outcome.kind === 'event' && outcome.event, { type: 'delete', email: `u1@${ISS}`, ts: 1700000000.5 });
  });

  it('when there is no iss but uid is an email (legacy format), then uid is the user', () => {
    const outcome = parseAccountEvent({ event: 'delete', uid: `u1@${ISS}` });
    assert.deepEqual(outcome.kind === 'event' && outcome.event, { type: 'delete', email: `u1@${ISS}` });
  });

  it('when reset and passwordChange carry an integer generation, then it is kept', () => {
    for (const type of ['reset', 'passwordChange'] as const) {
      const outcome = parseAccountEvent({ event: type, uid: 'u1', iss: ISS, generation: 1700000000123 });
      assert.deepEqual(outcome.kind === 'event' && outcome.event, { type, email: `u1@${ISS}`, generation: 1700000000123 });
    }
  });

  it('when the event type is not handled, then it is ignored with the type named', () => {
    const outcome = parseAccountEvent({ event: 'subscription:update', uid: 'u1', iss: ISS });
    assert.equal(outcome.kind, 'ignored');
    assert.match(outcome.kind === 'ignored' ? outcome.reason : '', /"subscription:update" is not handled/);
  });

  it('when the body is not an object, then it is rejected', () => {
    for (const body of [null, 42, 'delete', [], true]) assert.match(rejected(body), /must be a JSON object/);
  });

  it('when event is missing or not a string, then it is rejected naming the field', () => {
    assert.match(rejected({ uid: 'u1', iss: ISS }), /^event: /);
    assert.match(rejected({ event: 7, uid: 'u1', iss: ISS }), /^event: /);
  });

  it('when uid is missing, empty or not a string, then it is rejected', () => {
    assert.match(rejected({ event: 'delete', iss: ISS }), /^uid: is required/);
    assert.match(rejected({ event: 'delete', uid: '', iss: ISS }), /^uid: /);
    assert.match(rejected({ event: 'delete', uid: 12, iss: ISS }), /^uid: /);
  });

  it('when there is no iss and uid has no @, then the user cannot be identified', () => {
    assert.match(rejected({ event: 'delete', uid: 'u1' }), /cannot be identified/);
  });

  it('when the user\'s email would be longer than an email address can be, then it is rejected with both lengths and no body', () => {
    const reason = rejected({ event: 'delete', uid: 'u'.repeat(250 * 1024), iss: ISS });
    assert.match(reason, /^uid: the user's email would be 256025 characters; an email address has at most 254 \(RFC 5321\)$/);
    const longest = 'u'.repeat(254 - ISS.length - 1);
    assert.equal(parseAccountEvent({ event: 'delete', uid: longest, iss: ISS }).kind, 'event', 'a 254-character email is accepted');
  });

  it('when uid or iss holds U+FFFD (bytes that were not valid UTF-8), then it is rejected naming the field', () => {
    assert.match(rejected({ event: 'delete', uid: 'ab\uFFFD(\uFFFD', iss: ISS }), /^uid: contains U\+FFFD/);
    assert.match(rejected({ event: 'delete', uid: 'ab', iss: 'api\uFFFD.example' }), /^iss: contains U\+FFFD/);
  });

  it('when iss is present but empty, then it is rejected', () => {
    assert.match(rejected({ event: 'delete', uid: 'u1', iss: '' }), /^iss: /);
  });

  it('when reset or passwordChange lack an integer generation, then they are rejected', () => {
    assert.match(rejected({ event: 'reset', uid: 'u1', iss: ISS }), /^generation: is required for reset/);
    assert.match(rejected({ event: 'passwordChange', uid: 'u1', iss: ISS }), /^generation: is required for passwordChange/);
    assert.match(rejected({ event: 'reset', uid: 'u1', iss: ISS, generation: '12' }), /^generation: must be an integer/);
    assert.match(rejected({ event: 'reset', uid: 'u1', iss: ISS, generation: 1.5 }), /^generation: must be an integer/);
    assert.match(rejected({ event: 'reset', uid: 'u1', iss: ISS, generation: 0 }), /^generation: must be at least 1/);
    assert.match(rejected({ event: 'reset', uid: 'u1', iss: ISS, generation: 2 ** 60 }), /^generation: is too large/);
  });

  it('when ts is not a non-negative number, then it is rejected', () => {
    assert.match(rejected({ event: 'delete', uid: 'u1', iss: ISS, ts: 'yesterday' }), /^ts: /);
    assert.match(rejected({ event: 'delete', uid: 'u1', iss: ISS, ts: -1 }), /^ts: /);
  });
});

describe('account-events event keys', () => {
  const key = (body: unknown) => {
    const outcome = parseAccountEvent(body);
    assert.equal(outcome.kind, 'event');
    return outcome.kind === 'event' ? outcome.eventKey : '';
  };

  it('when the same event is sent again, with fields in another order, then the key is the same', () => {
    assert.equal(key({ event: 'reset', uid: 'u1', iss: ISS, generation: 5, ts: 10 }), key({ ts: 10, generation: 5, iss: ISS, uid: 'u1', event: 'reset' }));
  });

  it('when the legacy and the uid@iss forms name the same user, then the key is the same', () => {
    assert.equal(key({ event: 'delete', uid: 'u1', iss: ISS, ts: 3 }), key({ event: 'delete', uid: `u1@${ISS}`, ts: 3 }));
  });

  it('when events differ in type, generation, time or user, then their keys differ', () => {
    const keys = new Set([
      key({ event: 'reset', uid: 'u1', iss: ISS, generation: 5 }),
      key({ event: 'passwordChange', uid: 'u1', iss: ISS, generation: 5 }),
      key({ event: 'reset', uid: 'u1', iss: ISS, generation: 6 }),
      key({ event: 'reset', uid: 'u2', iss: ISS, generation: 5 }),
      key({ event: 'reset', uid: 'u1', iss: ISS, generation: 5, ts: 1 }),
    ]);
    assert.equal(keys.size, 5);
  });

  it('when the workflow ID is built, then it holds no email or uid (no PII)', () => {
    const workflowId = toWorkflowId('account-events', key({ event: 'delete', uid: 'someone', iss: 'example.com' }));
    assert.match(workflowId, /^account-events\/[0-9a-f]{64}$/);
    assert.doesNotMatch(workflowId, /someone|example\.com|@/);
  });
});
