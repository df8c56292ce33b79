import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_STACK_DIR_PREFIX } from '../support/test-stack';

const ROOT = path.join(__dirname, '..', '..', '..');
const MOCHA_BIN = require.resolve('mocha/bin/mocha.js');
/** Longest a child run may take before it is killed (the unit tests alone take well under a minute). */
const CHILD_TIMEOUT_MS = 180_000;

/** What a child run printed and how it ended. */
interface ChildRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * A fresh TMPDIR for a child run: a test stack started there leaves its state
 * dir behind (CASCADE_KEEP_TEST_STACK=1) and fails at once, because its cache
 * dir lies under a file and TEMPORAL_CLI_PATH names no binary — so a stack
 * that should not start is caught in seconds and leaves no server running.
 */
interface Sandbox {
  readonly dir: string;
  readonly tmpDir: string;
  readonly env: NodeJS.ProcessEnv;
}

async function createSandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cascade-test-commands-'));
  const tmpDir = path.join(dir, 'tmp');
  await mkdir(tmpDir);
  const notADirectory = path.join(dir, 'not-a-directory');
  await writeFile(notADirectory, '');
  // The parent run's stack endpoints are not handed down: the child sees no server.
  const inherited = Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL$|TEMPORAL_|AWS_ENDPOINT_URL|CASCADE_)/.test(name));
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    TMPDIR: tmpDir,
    CASCADE_KEEP_TEST_STACK: '1',
    CASCADE_CACHE_DIR: path.join(notADirectory, 'cache'),
    TEMPORAL_CLI_PATH: path.join(dir, 'no-temporal-cli'),
  };
  return { dir, tmpDir, env };
}

/** State dirs of test stacks started inside the sandbox. */
async function listStackStateDirs(sandbox: Sandbox): Promise<string[]> {
  return (await readdir(sandbox.tmpDir)).filter((name) => name.startsWith(TEST_STACK_DIR_PREFIX));
}

/** Runs a command in the checkout's root (its own process group, killed whole on timeout). */
function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('test commands', function () {
  this.timeout(CHILD_TIMEOUT_MS + 30_000);
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await createSandbox();
  });

  afterEach(async () => {
    await rm(sandbox.dir, { recursive: true, force: true });
  });

  it('when `npm run test:unit` runs with no server around, then every unit test passes and no test stack is started', async () => {
    // --ignore-scripts skips only the pre-script (bootstrap), which must not rebuild dist/ under the running suite.
    const run = await runChild('npm', ['run', 'test:unit', '--ignore-scripts'], sandbox.env);

    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^ +\d+ passing/m);
    assert.doesNotMatch(run.output, /^ +\d+ failing/m);
    assert.doesNotMatch(run.output, /\[test stack\]/);
    assert.deepEqual(await listStackStateDirs(sandbox), []);
  });

  it('when mocha runs one unit file under the default config (root hooks loaded), then no test stack is started', async () => {
    const run = await runChild(process.execPath, [MOCHA_BIN, path.join('dist', 'test', 'unit', 'envelope.test.js')], sandbox.env);

    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^ +\d+ passing/m);
    assert.deepEqual(await listStackStateDirs(sandbox), []);
  });

  it('when mocha runs a file outside test/unit under the default config, then the root hook starts the test stack before any of its tests', async () => {
    const spec = path.join(sandbox.dir, 'outside-unit.test.js');
    const ranMarker = path.join(sandbox.dir, 'test-ran');
    await writeFile(spec, `it('writes a marker', () => require('node:fs').writeFileSync(${JSON.stringify(ranMarker)}, ''));\n`);

    const run = await runChild(process.execPath, [MOCHA_BIN, spec], sandbox.env);

    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /\[test stack\] failed to start/);
    assert.match(run.output, /"before all" hook/);
    assert.equal((await listStackStateDirs(sandbox)).length, 1, run.output);
    assert.equal((await readdir(sandbox.dir)).includes('test-ran'), false);
  });
});
