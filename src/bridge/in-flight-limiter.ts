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
   * When fewer than `wanted` are free, it waits up to `lingerMs` more for
   * others to free up, so a full bridge receives in batches instead of one
   * message per call (no wait when enough slots are free: an idle bridge
   * loses no latency). Resolves at least 1, or 0 only when `signal` aborts
   * first: when other reservations took every free slot while it lingered,
   * it waits for the next release again.
   */
  async reserve(wanted: number, signal: AbortSignal, lingerMs = 0): Promise<number> {
    for (;;) {
      while (this.used >= this.capacity) {
        if (signal.aborted) return 0;
        await this.nextRelease(signal);
      }
      if (lingerMs > 0 && this.capacity - this.used < wanted) {
        const deadline = Date.now() + lingerMs;
        while (this.capacity - this.used < wanted && Date.now() < deadline && !signal.aborted) {
          await this.nextRelease(signal, deadline - Date.now());
        }
      }
      if (signal.aborted) return 0;
      const free = this.capacity - this.used;
      if (free > 0) {
        const taken = Math.min(wanted, free);
        this.used += taken;
        return taken;
      }
    }
  }

  /** Resolves at the next release, when `signal` aborts, or after `timeoutMs`. */
  private nextRelease(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.push(done);
    });
  }

  /** Gives `count` slots back. */
  release(count = 1): void {
    this.used = Math.max(0, this.used - count);
    const waiters = this.waiters.splice(0, this.waiters.length);
    for (const wake of waiters) wake();
  }
}
