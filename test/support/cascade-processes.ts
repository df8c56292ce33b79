import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A real `cascade <command>` child process and the URL of its HTTP server. */
export interface CascadeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` of its HTTP server (`/metrics`, `/readyz`). */
  readonly httpUrl: string;
  /** The tail of what it printed. */
  output(): string;
  /** SIGTERM, then waits for it to exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `bin/cascade.js <command>` (bridge, worker, start) with `env`, and
 * resolves once its HTTP server listens (read from its JSON log line).
 */
export function startCascadeProcess(command: 'bridge' | 'worker' | 'start', env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CascadeProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cascade.js'), command], {
    cwd: REPO_ROOT,
    env: { ...env, LOG_LEVEL: 'info', CASCADE_HUMAN_LOGS: 'false', CASCADE_HTTP_HOST: '127.0.0.1', CASCADE_HTTP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<CascadeProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cascade ${command} did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let pending = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const url = toListeningUrl(line);
        if (url === undefined) continue;
        clearTimeout(timer);
        resolve({
          child,
          httpUrl: url,
          output: () => output,
          async stop(stopTimeoutMs = 30_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
            await exited;
            clearTimeout(killer);
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`cascade ${command} exited (${signal ?? `code ${String(code)}`}) before listening:\n${output}`));
    });
  });
}

function toListeningUrl(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'http server listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}
