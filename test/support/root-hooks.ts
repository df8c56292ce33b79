import path from 'node:path';
import type { Context, Suite } from 'mocha';
import { startTestStack, stopTestStack } from './test-stack';

/** A first run builds the Temporal CLI and downloads ElasticMQ and moto. */
const FIRST_RUN_TIMEOUT_MS = 20 * 60_000;

/**
 * Compiled tests that need no server: unit tests (dist/test/unit) and the
 * deployment tests (dist/test/deploy), which only render and validate files.
 */
const STACKLESS_TEST_DIRS = ['unit', 'deploy'].map((dir) => path.join(__dirname, '..', dir));

function hasFailures(suite: Suite): boolean {
  return suite.tests.some((test) => test.state === 'failed') || suite.suites.some(hasFailures);
}

function isStacklessTestFile(file: string | undefined): boolean {
  return file !== undefined && STACKLESS_TEST_DIRS.some((dir) => path.resolve(file).startsWith(dir + path.sep));
}

/**
 * Whether the run holds a test outside test/unit and test/deploy (a test
 * without a file counts as one, to be safe): only those get the local stack.
 */
function needsTestStack(suite: Suite): boolean {
  return suite.tests.some((test) => !isStacklessTestFile(test.file)) || suite.suites.some(needsTestStack);
}

/**
 * Mocha root hooks (loaded through .mocharc.json `require`): one local stack
 * for the whole run, see test-stack.ts, started before any suite's hooks —
 * unless every test of the run is in test/unit or test/deploy, which need none.
 */
// Same as bin/cascade.js: the SDK's Node 22 notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    const root = this.test?.parent;
    if (root !== undefined && !needsTestStack(root)) return;
    this.timeout(FIRST_RUN_TIMEOUT_MS);
    await startTestStack();
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(120_000);
    const root = this.test?.parent;
    await stopTestStack(root === undefined ? true : hasFailures(root));
  },
};
