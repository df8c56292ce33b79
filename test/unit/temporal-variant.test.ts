import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError, TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_BUILD_MODULE_DIR, TEMPORAL_SERVER_VERSION, toTemporalVariant } from '../../src/stack';
import { findPackageRoot } from '../../src/stack/package-root';

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

describe('the Go module the Temporal server is built in (tools/temporal-server)', () => {
  const goMod = readFileSync(path.join(findPackageRoot(), TEMPORAL_SERVER_BUILD_MODULE_DIR, 'go.mod'), 'utf8');

  it('when the stack builds the server, then the module requires that server version and the CLI version the stack builds', () => {
    assert.match(goMod, new RegExp(`^\\s*go\\.temporal\\.io/server v${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(goMod, new RegExp(`^\\s*github\\.com/temporalio/cli v${TEMPORAL_CLI_VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('when Go builds it, then no replace directive changes what the proxy serves', () => {
    assert.doesNotMatch(goMod, /^\s*replace\b/m);
  });
});
