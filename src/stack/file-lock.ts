import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from './processes';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Called once when another process holds the lock and we start waiting. */
  onWait?: (holderPid: number) => void;
  /** Give up after this long. @default 30 minutes (a cold tool build) */
  timeoutMs?: number;
}

/** Thrown when a lock is still held by a live process after the timeout. */
export class FileLockTimeoutError extends Error {
  readonly lockFile: string;
  readonly holderPid: number;

  constructor(lockFile: string, holderPid: number) {
    super(`Timed out waiting for lock ${lockFile} held by process ${holderPid}`);
    this.name = 'FileLockTimeoutError';
    this.lockFile = lockFile;
    this.holderPid = holderPid;
  }
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, holding
 * our pid). A lock whose holder process is gone is taken over, so a crashed
 * build does not block the next one. Guards builds shared between processes,
 * e.g. two `cascade stack up` running at once.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let announced = false;
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lockFile);
    if (holder === 'stale') {
      await rm(lockFile, { force: true });
      continue;
    }
    if (holder !== 'unknown' && !announced) {
      announced = true;
      options.onWait?.(holder);
    }
    if (Date.now() > deadline) throw new FileLockTimeoutError(lockFile, holder === 'unknown' ? 0 : holder);
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** The live holder's pid, 'stale' when the holder is gone, 'unknown' while the file is being written. */
async function readHolder(lockFile: string): Promise<number | 'stale' | 'unknown'> {
  try {
    const pid = Number.parseInt(await readFile(lockFile, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0) return isProcessAlive(pid) ? pid : 'stale';
    const { mtimeMs } = await stat(lockFile);
    return Date.now() - mtimeMs > 10_000 ? 'stale' : 'unknown';
  } catch {
    return 'unknown';
  }
}
