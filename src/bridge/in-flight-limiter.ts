/**
 * Bounds how many messages a bridge process holds at once. Pollers reserve
 * slots before a receive (so they never ask SQS for more than they can take)
 * and give back what the receive did not fill.
 */
export class InFlightLimiter {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  /** Slots in use. */
  get size(): number {
    return this.used;
  }

  /**
   * Waits until at least one slot is free and takes up to `wanted` slots.
   * Resolves 0 when `signal` aborts first.
   */
  async reserve(wanted: number, signal: AbortSignal): Promise<number> {
    while (this.used >= this.capacity) {
      if (signal.aborted) return 0;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (signal.aborted) return 0;
    const taken = Math.min(wanted, this.capacity - this.used);
    this.used += taken;
    return taken;
  }

  /** Gives `count` slots back. */
  release(count = 1): void {
    this.used = Math.max(0, this.used - count);
    const waiters = this.waiters.splice(0, this.waiters.length);
    for (const wake of waiters) wake();
  }
}
