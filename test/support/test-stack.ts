import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  findFreeStackPorts,
  resolveCacheDir,
  startStack,
  stopStack,
  type StackEndpoints,
  type StackOptions,
  type StackProgressEvent,
  toTemporalVariant,
} from '../../src/stack';

/** The stack shared by the whole test run, started by the root hooks. */
export interface TestStack {
  readonly endpoints: StackEndpoints;
  /** Options it was started with, for `startService` / `stopService` in tests. */
  readonly options: StackOptions;
}

/** Name prefix of the temp state dir each test stack starts in (under `os.tmpdir()`). */
export const TEST_STACK_DIR_PREFIX = 'cascade-test-stack-';

let current: TestStack | undefined;

/**
 * The running test stack: the root hooks start it before any suite's hooks
 * when the run holds a suite outside test/unit.
 * @throws Error when the root hooks (dist/test/support/root-hooks.js) were not loaded, or the run is unit tests only
 */
export function getTestStack(): TestStack {
  if (current === undefined) {
    throw new Error(
      'The test stack is not running: run mocha with --require dist/test/support/root-hooks.js (see .mocharc.json); ' +
        'it starts no stack for a run of unit tests only (test/unit, `npm run test:unit`), so a suite that needs servers belongs outside test/unit.',
    );
  }
  return current;
}

/** Prints long first-time steps (builds, downloads), so a cold CI run shows why it waits. */
function printProgress(event: StackProgressEvent): void {
  if (event.step === 'starting' || event.step === 'ready') return;
  process.stderr.write(`[test stack] ${event.service}: ${event.step}\n`);
}

/**
 * Starts one stack in a fresh temp state dir on free ports (never the
 * defaults of `cascade dev`) and exports its endpoints into `process.env`.
 * Its Temporal is the one `CASCADE_STACK_TEMPORAL` names (`dev` unless set).
 */
export async function startTestStack(): Promise<TestStack> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), TEST_STACK_DIR_PREFIX));
  const options: StackOptions = {
    stateDir,
    cacheDir: resolveCacheDir(),
    ports: await findFreeStackPorts(),
    temporal: toTemporalVariant(),
    logger: pino({ level: process.env.CASCADE_TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    onProgress: printProgress,
  };
  try {
    const endpoints = await startStack(options);
    Object.assign(process.env, endpoints);
    current = { endpoints, options };
    return current;
  } catch (error) {
    await stopStack(options).catch(() => undefined);
    process.stderr.write(`[test stack] failed to start; state kept in ${stateDir}\n`);
    throw error;
  }
}

/**
 * Stops the test stack. Its state dir is removed unless the run failed or
 * CASCADE_KEEP_TEST_STACK=1, in which case its path is printed.
 */
export async function stopTestStack(runFailed: boolean): Promise<void> {
  const stack = current;
  if (stack === undefined) return;
  current = undefined;
  await stopStack(stack.options);
  if (runFailed || process.env.CASCADE_KEEP_TEST_STACK === '1') {
    process.stderr.write(`[test stack] logs and data kept in ${stack.options.stateDir}\n`);
  } else {
    await rm(stack.options.stateDir, { recursive: true, force: true });
  }
}
