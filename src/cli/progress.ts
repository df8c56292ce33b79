import { Presets, SingleBar } from 'cli-progress';

/** A progress display of long work; every method is safe to call after `stop`. */
export interface Progress {
  /** Marks `count` more items done (default 1). */
  increment(count?: number): void;
  /** Raises the total when more work is found. */
  setTotal(total: number): void;
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Shown before the bar, e.g. `re-running`. */
  readonly label: string;
  readonly total: number;
  /** @default process.stderr (stdout stays for data) */
  readonly stream?: NodeJS.WriteStream;
}

/**
 * A progress bar on stderr (cli-progress). On a terminal it redraws in
 * place; elsewhere (CI logs, pipes) it prints a line every few seconds, so
 * long work never looks stuck and stdout keeps only the command's data.
 */
export function createProgress(options: ProgressOptions): Progress {
  const bar = new SingleBar(
    {
      format: `${options.label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, eta {eta_formatted}`,
      stream: options.stream ?? process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let stopped = false;
  bar.start(options.total, 0);
  return {
    increment(count = 1) {
      if (!stopped) bar.increment(count);
    },
    setTotal(total) {
      if (!stopped) bar.setTotal(total);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
