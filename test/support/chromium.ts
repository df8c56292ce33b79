import path from 'node:path';
import { StackError, resolveCacheDir } from '../../src/stack';
import { withFileLock } from '../../src/stack/file-lock';
import { isExecutableFile } from '../../src/stack/find-executable';
import { runTool } from '../../src/stack/tool-runner';
import type { StackProgressEvent } from '../../src/stack/types';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launch arguments that work headless in CI containers (root, no GPU, no
 * sandbox) and keep the browser from calling home. Playwright adds a fresh
 * `--user-data-dir` per launch.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Thrown when Chromium is missing and this process cannot install it (not root). */
export class ChromiumUnavailableError extends Error {
  readonly executablePath: string;

  constructor(executablePath: string) {
    super(
      `Chromium is not installed at ${executablePath}, and only root can install it. ` +
        'Install it with `sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu), then run the tests again.',
    );
    this.name = 'ChromiumUnavailableError';
    this.executablePath = executablePath;
  }
}

/** Options of {@link ensureChromium}. */
export interface EnsureChromiumOptions {
  /** @default process.stderr */
  readonly onProgress?: (event: StackProgressEvent) => void;
  /** @default resolveCacheDir() — holds the install log and the lock file */
  readonly cacheDir?: string;
}

function printProgress(event: StackProgressEvent): void {
  process.stderr.write(`[${event.service}] ${event.step}\n`);
}

/**
 * The path of a runnable Chromium, installing Debian's `chromium` package
 * (`apt-get update`, then `apt-get install -y --no-install-recommends
 * chromium`) when it is missing. Idempotent: an installed browser is returned
 * at once; concurrent callers wait on one lock file and install once. The
 * first install takes a minute or two; progress goes to stderr, apt's output
 * to `<cacheDir>/logs/chromium-apt.log`.
 * @throws ChromiumUnavailableError when it is missing and this process is not root
 * @throws StackError with the log's last lines when apt-get fails
 */
export async function ensureChromium(options: EnsureChromiumOptions = {}): Promise<string> {
  if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) throw new ChromiumUnavailableError(CHROMIUM_PATH);
  const onProgress = options.onProgress ?? printProgress;
  const cacheDir = options.cacheDir ?? resolveCacheDir();
  const logFile = path.join(cacheDir, 'logs', 'chromium-apt.log');
  const hint = `Read ${logFile}; the Debian mirrors must be reachable. Installing by hand works too: apt-get install -y --no-install-recommends chromium`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return withFileLock(
    path.join(cacheDir, 'chromium-install.lock'),
    async () => {
      if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH; // installed by whoever held the lock
      const started = Date.now();
      onProgress({ service: 'chromium', step: `${CHROMIUM_PATH} is missing; installing Debian's chromium package (first run only, about 1–2 minutes)` });
      await runTool({ service: 'chromium', step: 'apt-get update', command: 'apt-get', args: ['update'], logFile: `${logFile}.update`, env, hint, onProgress });
      await runTool({
        service: 'chromium',
        step: 'apt-get install chromium',
        command: 'apt-get',
        args: ['install', '-y', '--no-install-recommends', 'chromium'],
        logFile,
        env,
        hint,
        onProgress,
      });
      if (!isExecutableFile(CHROMIUM_PATH)) throw new StackError('chromium', `apt-get installed chromium, but ${CHROMIUM_PATH} is not an executable file.`, hint);
      onProgress({ service: 'chromium', step: `installed ${CHROMIUM_PATH} in ${Math.round((Date.now() - started) / 1000)}s` });
      return CHROMIUM_PATH;
    },
    { onWait: (pid) => onProgress({ service: 'chromium', step: `waiting for the chromium install of process ${pid}` }) },
  );
}
