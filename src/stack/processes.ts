import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What is recorded about a background service process in its pid file. */
export interface ProcessRecord {
  readonly pid: number;
  /** Absolute path of the executable, used to tell our process from a reused pid. */
  readonly command: string;
  readonly args: readonly string[];
  /** Digest of everything that shapes the running service (args, config); a change means restart. */
  readonly fingerprint: string;
  /** Signal that shuts the process down cleanly. */
  readonly stopSignal: NodeJS.Signals;
  readonly logFile: string;
  readonly url: string;
  /** The port that answers when the service is up. */
  readonly port: number;
  readonly startedAt: string;
  /** Which flavour of the service runs (Temporal: `dev` or `server`). */
  readonly variant?: string;
}

/** How to launch a detached background process. */
export interface DetachedLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user/group (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Pid file of a service: `<stateDir>/run/<service>.pid.json`. */
export function toPidFilePath(stateDir: string, service: string): string {
  return path.join(stateDir, 'run', `${service}.pid.json`);
}

/** Log file of a service: `<stateDir>/logs/<service>.log`. */
export function toLogFilePath(stateDir: string, service: string): string {
  return path.join(stateDir, 'logs', `${service}.log`);
}

/** The recorded process, or undefined when there is no (readable) pid file. */
export async function readProcessRecord(file: string): Promise<ProcessRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProcessRecord>;
    return typeof parsed.pid === 'number' && typeof parsed.command === 'string' ? (parsed as ProcessRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the pid file atomically (write to a temp file, then rename). */
export async function writeProcessRecord(file: string, record: ProcessRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, file);
}

/** Removes the pid file if present. */
export async function removeProcessRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

/**
 * True when `pid` is a live (not zombie) process and, when `command` is given
 * and /proc is available, its executable's name still matches (the pid was not reused).
 */
export function isProcessAlive(pid: number, command?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no procfs: trust kill(0)
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  if (command === undefined) return true;
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return path.basename(argv0) === path.basename(command);
  } catch {
    return true;
  }
}

/** Starts a process in its own session, output appended to `logFile`, not tied to this process. */
export async function spawnDetached(launch: DetachedLaunch): Promise<number> {
  await mkdir(path.dirname(launch.logFile), { recursive: true });
  const logFd = openSync(launch.logFile, 'a');
  try {
    const child = spawn(launch.command, [...launch.args], {
      cwd: launch.cwd,
      env: launch.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      uid: launch.uid,
      gid: launch.gid,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(logFd);
  }
}

/**
 * Sends `signal` to `pid` and waits up to `timeoutMs` for it to exit, then
 * kills its whole process group. Resolves when the process is gone.
 */
export async function terminateProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!sendSignal(pid, signal)) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return;
    await sleep(100);
  }
  sendSignal(-pid, 'SIGKILL');
  sendSignal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (isProcessAlive(pid) && Date.now() < killDeadline) await sleep(100);
}

function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Size of a file in bytes, 0 when missing; marks where this run's log lines start. */
export async function getFileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The last `lines` lines of a log file from byte `fromOffset` on, or a note that it is missing. */
export async function readLogTail(file: string, lines = 20, fromOffset = 0): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(fromOffset).toString('utf8').trimEnd();
    return text === '' ? '(log is empty)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
