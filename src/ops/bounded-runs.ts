import Bottleneck from 'bottleneck';

/** How many cascades a bulk operation handles at once, and how fast it starts them. */
export interface BoundedRunOptions {
  /** Cascades in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Most cascades started per second; unset: as fast as the concurrency allows. */
  readonly ratePerSecond?: number;
}

/**
 * Runs `act` once per distinct workflow ID, at most `concurrency` at once and
 * `ratePerSecond` starts a second (bottleneck), calling `onDone` after each;
 * resolves with the outcomes in the order of the IDs.
 */
export async function runBounded<T>(workflowIds: readonly string[], options: BoundedRunOptions & { readonly onDone?: (outcome: T) => void }, act: (workflowId: string) => Promise<T>): Promise<T[]> {
  const limiter = new Bottleneck({
    maxConcurrent: options.concurrency ?? 4,
    ...(options.ratePerSecond === undefined ? {} : { minTime: Math.ceil(1000 / options.ratePerSecond) }),
  });
  try {
    return await Promise.all(
      [...new Set(workflowIds)].map((workflowId) =>
        limiter.schedule(async () => {
          const outcome = await act(workflowId);
          options.onDone?.(outcome);
          return outcome;
        }),
      ),
    );
  } finally {
    await limiter.stop({ dropWaitingJobs: false });
  }
}
