import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { resolveCacheDir, resolveTemporalCli } from '../../src/stack';
import { CASCADE_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { SearchAttributeType } from '@temporalio/common';
import type { ActivityPolicyInput } from '../../src/shared/cascade-input';
import { toWorkflowSpanSinks } from '../../src/telemetry/workflow-tracing';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime';
import { defaultWorkflowBundlePath } from '../../src/worker/workflow-source';
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

/**
 * Starts a dev server before the calling suite's tests and stops it after
 * them; read `.env` inside the tests.
 */
export function useTemporalTestEnv(): { readonly env: TestWorkflowEnvironment } {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = await createTemporalTestEnv();
  });
  after(async () => {
    await env?.teardown();
  });
  return {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the Temporal test environment runs only inside the suite that asked for it');
      return env;
    },
  };
}

/** Activity retries that run out within a second: 3 attempts, 10 to 50 ms apart. */
export const FAST_RETRIES: ActivityPolicyInput = {
  startToCloseTimeoutMs: 5000,
  retry: { initialIntervalMs: 10, backoffCoefficient: 2, maximumIntervalMs: 50, maximumAttempts: 3 },
};

/** Runs `run` while a worker with `activities` (and the prebuilt workflow bundle) polls a fresh task queue of `env`. */
export async function runWithWorker<T>(env: TestWorkflowEnvironment, activities: object, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  // The bundle's OpenTelemetry workflow interceptors send their spans to the `exporter` sink (dropped: no tracing in tests).
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: defaultWorkflowBundlePath() }, activities, sinks: toWorkflowSpanSinks(undefined) });
  return worker.runUntil(run(taskQueue));
}
