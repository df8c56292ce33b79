import { type Progress, createProgress } from './progress';

/** A {@link Progress} whose total is learnt piece by piece, and the call that adds to it. */
export interface GrowingProgress {
  readonly progress: Progress;
  /** Adds `count` to the total; the bar appears once the total is above 0. */
  readonly expect: (count: number) => void;
}

/**
 * A progress bar shown once there is something to count (it never shows
 * 0/0), whose total grows as each queue's expected count is known.
 */
export function createGrowingProgress(label: string): GrowingProgress {
  let bar: Progress | undefined;
  let total = 0;
  return {
    progress: {
      increment: (count) => bar?.increment(count),
      setTotal: (count) => bar?.setTotal(count),
      stop: () => bar?.stop(),
    },
    expect: (count) => {
      total += count;
      if (bar !== undefined) bar.setTotal(total);
      else if (total > 0) bar = createProgress({ label, total });
    },
  };
}
