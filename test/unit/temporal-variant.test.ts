import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_STACK_PORTS, StackError, TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_BUILD_MODULE_DIR, TEMPORAL_SERVER_VERSION, toTemporalVariant } from '../../src/stack';
import { TEMPORAL_UI_SERVER_VERSION, toUiServerConfig } from '../../src/stack/temporal-ui-server';
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

  it('when the stack builds the Web UI server, then the module requires the UI server version the stack names (the one the CLI embeds)', () => {
    assert.match(goMod, new RegExp(`^\\s*github\\.com/temporalio/ui-server/v2 v${TEMPORAL_UI_SERVER_VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('when Go builds it, then no replace directive changes what the proxy serves', () => {
    assert.doesNotMatch(goMod, /^\s*replace\b/m);
  });
});

describe('the Web UI server beside the Temporal server (temporal-ui)', () => {
  const config = JSON.parse(toUiServerConfig(DEFAULT_STACK_PORTS)) as Record<string, unknown>;

  it('when its config is written, then it listens on loopback only, on the UI port, and reaches the stack frontend', () => {
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, DEFAULT_STACK_PORTS.temporalUi);
    assert.equal(config.temporalGrpcAddress, `127.0.0.1:${DEFAULT_STACK_PORTS.temporal}`);
  });

  it("when its config is written, then the UI decodes payloads through Cascade's codec endpoint on the stack's HTTP port", () => {
    assert.deepEqual(config.codec, { endpoint: `http://127.0.0.1:${DEFAULT_STACK_PORTS.http}/codec` });
  });
});
