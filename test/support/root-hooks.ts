import type { Context, Suite } from 'mocha';
import { startTestStack, stopTestStack } from './test-stack';

/** A first run builds the Temporal CLI and downloads ElasticMQ and moto. */
const FIRST_RUN_TIMEOUT_MS = 20 * 60_000;

function hasFailures(suite: Suite): boolean {
  return suite.tests.some((test) => test.state === 'failed') || suite.suites.some(hasFailures);
}

/**
 * Mocha root hooks (loaded through .mocharc.json `require`): one local stack
 * for the whole run, see test-stack.ts.
 */
// Same as bin/cascade.js: the SDK's Node 22 notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(FIRST_RUN_TIMEOUT_MS);
    await startTestStack();
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(120_000);
    const root = this.test?.parent;
    await stopTestStack(root === undefined ? true : hasFailures(root));
  },
};
