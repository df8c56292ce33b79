import assert from 'node:assert/strict';
import { StackError, toTemporalVariant } from '../../src/stack';

describe('the stack Temporal setting (CASCADE_STACK_TEMPORAL)', () => {
  it('when it is unset or empty, then the stack runs the dev server', () => {
    assert.equal(toTemporalVariant({}), 'dev');
    assert.equal(toTemporalVariant({ CASCADE_STACK_TEMPORAL: ' ' }), 'dev');
  });

  it('when it names dev or server, then that Temporal runs', () => {
    assert.equal(toTemporalVariant({ CASCADE_STACK_TEMPORAL: 'dev' }), 'dev');
    assert.equal(toTemporalVariant({ CASCADE_STACK_TEMPORAL: 'server' }), 'server');
  });

  it('when it names anything else, then a StackError names the variable, the value and the choices', () => {
    assert.throws(
      () => toTemporalVariant({ CASCADE_STACK_TEMPORAL: 'production' }),
      (error: unknown) => error instanceof StackError && /CASCADE_STACK_TEMPORAL is "production", not one of dev, server/.test(error.message),
    );
  });
});
