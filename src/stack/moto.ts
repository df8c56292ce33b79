import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from './find-executable';
import { withFileLock } from './file-lock';
import { STACK_HOST } from './ports';
import type { ServiceContext, StackService } from './service';
import { StackError } from './stack-error';
import { runTool } from './tool-runner';

/** moto version installed from PyPI into the cached venv. */
export const MOTO_VERSION = '5.2.5';

/** moto server (S3 and SNS APIs) from PyPI, in a cached virtualenv; state is in memory. */
export function createMotoService(ctx: ServiceContext): StackService {
  const endpoint = `http://${STACK_HOST}:${ctx.ports.moto}`;
  return {
    name: 'moto',
    url: endpoint,
    ports: [{ port: ctx.ports.moto, setting: 'moto' }],
    startTimeoutMs: 60_000,

    async prepare() {
      const venv = await ensureMotoVenv(ctx);
      return {
        command: path.join(venv, 'bin', 'python'),
        args: ['-m', 'moto.server', '-H', STACK_HOST, '-p', String(ctx.ports.moto)],
        cwd: ctx.stateDir,
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
      };
    },

    async checkHealth() {
      const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`moto answered HTTP ${response.status}`);
    },
  };
}

/** `<cacheDir>/moto-venv-<version>` with `moto[server]` installed, created once (stamp file when complete). */
async function ensureMotoVenv(ctx: ServiceContext): Promise<string> {
  const venv = path.join(ctx.cacheDir, `moto-venv-${MOTO_VERSION}`);
  const stamp = path.join(venv, '.cascade-complete');
  if (existsSync(stamp)) return venv;
  return withFileLock(
    `${venv}.lock`,
    async () => {
      if (existsSync(stamp)) return venv;
      const python = findOnPath('python3');
      if (python === undefined) {
        throw new StackError('moto', 'python3 is not on PATH; moto (the S3/SNS emulator) is installed from PyPI into a virtualenv.', 'Install Python 3.9+ with the venv module (e.g. `apt-get install python3-venv`).');
      }
      await rm(venv, { recursive: true, force: true }); // an unstamped venv is an interrupted install
      const logFile = path.join(ctx.cacheDir, 'logs', `moto-${MOTO_VERSION}-install.log`);
      const started = Date.now();
      await runTool({
        service: 'moto',
        step: 'creating the moto virtualenv (first run only)',
        command: python,
        args: ['-m', 'venv', venv],
        logFile,
        hint: 'Install the Python venv module (e.g. `apt-get install python3-venv`).',
        onProgress: ctx.onProgress,
      });
      await runTool({
        service: 'moto',
        step: `installing moto[server]==${MOTO_VERSION} from PyPI (first run only)`,
        command: path.join(venv, 'bin', 'python'),
        args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `moto[server]==${MOTO_VERSION}`],
        logFile,
        hint: 'Check that pip can reach PyPI (PIP_INDEX_URL / proxy settings).',
        onProgress: ctx.onProgress,
      });
      await writeFile(stamp, `${new Date().toISOString()}\n`);
      ctx.logger.info({ venv, seconds: Math.round((Date.now() - started) / 1000) }, 'installed moto');
      return venv;
    },
    { onWait: (pid) => ctx.onProgress?.({ service: 'moto', step: `waiting for the moto install of process ${pid}` }) },
  );
}
