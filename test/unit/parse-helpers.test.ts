import assert from 'node:assert/strict';
import { z } from 'zod';
import { toErrorMessage } from '../../src/errors/error-message';
import { isRecord, toIssueList } from '../../src/shared/parse-helpers';

describe('parse helpers and the error-message helper', () => {
  it('when a value is a JSON object or an error, then it is a record; null, arrays and primitives are not', () => {
    assert.equal(isRecord({ a: 1 }), true);
    assert.equal(isRecord(Object.create(null)), true);
    assert.equal(isRecord(new Error('x')), true);
    for (const value of [null, undefined, [], [1], 'text', 1, true]) assert.equal(isRecord(value), false, JSON.stringify(value));
  });

  it('when a schema check fails, then every issue is listed as path: message, the whole value named by its root', () => {
    const schema = z.object({ user: z.object({ id: z.string({ message: 'must be a string' }) }), tags: z.array(z.string({ message: 'must be text' })) }, { message: 'must be an object' });
    const nested = schema.safeParse({ user: { id: 1 }, tags: ['a', 2] });
    assert.ok(!nested.success);
    assert.equal(toIssueList(nested.error), 'user.id: must be a string; tags.1: must be text');
    const whole = schema.safeParse('not an object');
    assert.ok(!whole.success);
    assert.equal(toIssueList(whole.error), 'body: must be an object');
    assert.equal(toIssueList(whole.error, 'query'), 'query: must be an object');
  });

  it('when anything is thrown, then its message is read: an Error, an error-like object, or the value itself', () => {
    assert.equal(toErrorMessage(new TypeError('bad type')), 'bad type');
    assert.equal(toErrorMessage({ name: 'ThrottlingException', message: 'Rate exceeded' }), 'Rate exceeded');
    assert.equal(toErrorMessage('plain text'), 'plain text');
    assert.equal(toErrorMessage(42), '42');
    assert.equal(toErrorMessage({ message: 7 }), '[object Object]');
  });
});
