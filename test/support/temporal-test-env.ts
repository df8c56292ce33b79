import { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { resolveCacheDir, resolveTemporalCli } from '../../src/stack';
import { CASCADE_SEARCH_ATTRIBUTES } from '../../src/stack/search-attributes';
import { SearchAttributeType } from '@temporalio/common';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime';
import { createTestLogger } from './e2e-harness';

/**
 * A local Temporal dev server for one test file, run from the same Temporal
 * CLI binary the stack uses (the SDK's own download is unreachable offline).
 */
export async function createTemporalTestEnv(): Promise<TestWorkflowEnvironment> {
  installTemporalRuntime(createTestLogger());
  const path = await resolveTemporalCli({ cacheDir: resolveCacheDir(), logger: pino({ level: 'warn' }) });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      searchAttributes: Object.keys(CASCADE_SEARCH_ATTRIBUTES).map((name) => ({ name, type: SearchAttributeType.KEYWORD })),
      extraArgs: ['--log-level', 'error'],
    },
  });
}
