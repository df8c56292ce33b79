import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CascadeMetrics } from '../metrics/metrics';
import { sleep } from '../sleep';
import { toErrorMessage } from '../errors/error-message';

/** What {@link IntakePause} needs. */
export interface IntakePauseOptions {
  /** Resolves when Temporal answers; rejects when it does not. */
  readonly probe: () => Promise<void>;
  readonly logger: Logger;
  readonly metrics: Pick<CascadeMetrics, 'intakePaused' | 'intakePauses' | 'temporalProbes'>;
  /** Wait before the first probe of a pause; doubles after each unanswered probe. @default 500 */
  readonly probeInitialDelayMs?: number;
  /** Longest wait between two probes. @default 10000 */
  readonly probeMaxDelayMs?: number;
  /**
   * A pause that begins less than this long after the last resume continues
   * the previous back-off instead of starting over, so a Temporal that answers
   * probes but keeps failing starts is not hammered (each resume costs every
   * waiting message one receive). @default 60000
   */
  readonly stableAfterMs?: number;
}

/** Emitted when intake pauses. */
export interface IntakePausedRecord {
  readonly reason: string;
}

/** Emitted when intake resumes. */
export interface IntakeResumedRecord {
  readonly pausedMs: number;
  readonly probes: number;
}

/** Events of an {@link IntakePause}. */
export interface IntakePauseEvents {
  paused: [IntakePausedRecord];
  resumed: [IntakeResumedRecord];
}

/**
 * The bridge's intake switch during a Temporal outage. Open, pollers receive.
 * {@link pause} closes it and probes Temporal with a capped exponential
 * back-off; the first answered probe opens it again. While it is closed no
 * poller receives, so messages wait on the queue without their receive
 * count growing toward the dead-letter queue.
 */
export class IntakePause extends EventEmitter<IntakePauseEvents> {
  private pausedAt: number | undefined;
  private resumedAt = Number.NEGATIVE_INFINITY;
  private lastDelayMs: number | undefined;
  private waiters: Array<() => void> = [];
  private probing: Promise<void> | undefined;
  private readonly closed = new AbortController();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly stableAfterMs: number;

  constructor(private readonly options: IntakePauseOptions) {
    super();
    this.initialDelayMs = options.probeInitialDelayMs ?? 500;
    this.maxDelayMs = options.probeMaxDelayMs ?? 10_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    if (this.initialDelayMs <= 0 || this.maxDelayMs < this.initialDelayMs) {
      throw new TypeError('IntakePause needs 0 < probeInitialDelayMs <= probeMaxDelayMs');
    }
    options.metrics.intakePaused.set(0);
  }

  /** Whether intake is paused now. */
  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /**
   * Pauses intake (no-op when already paused or closed) and starts probing.
   * `cause` is the error that showed Temporal unavailable; `since` (epoch ms)
   * is when the failed call began: a call that began before Temporal last
   * answered a probe is stale news and pauses nothing.
   */
  pause(cause: unknown, since = Date.now()): void {
    if (this.pausedAt !== undefined || this.closed.signal.aborted || since < this.resumedAt) return;
    this.pausedAt = Date.now();
    const reason = toErrorMessage(cause);
    this.options.metrics.intakePaused.set(1);
    this.options.metrics.intakePauses.inc();
    this.options.logger.warn({ err: cause }, 'Temporal unavailable: intake paused on every queue until it answers');
    this.emit('paused', { reason });
    const continues = Date.now() - this.resumedAt < this.stableAfterMs && this.lastDelayMs !== undefined;
    const firstDelayMs = continues ? Math.min(this.maxDelayMs, (this.lastDelayMs ?? this.initialDelayMs) * 2) : this.initialDelayMs;
    this.probing = this.probeUntilAnswered(firstDelayMs);
  }

  /** Resolves at once when intake is open, else when it resumes or `signal` aborts. */
  whenOpen(signal: AbortSignal): Promise<void> {
    if (this.pausedAt === undefined || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  /** Stops probing for good (the bridge is stopping); waiters are released. */
  async close(): Promise<void> {
    this.closed.abort();
    for (const wake of this.waiters.splice(0)) wake();
    await this.probing;
  }

  private async probeUntilAnswered(firstDelayMs: number): Promise<void> {
    const signal = this.closed.signal;
    let delayMs = firstDelayMs;
    let probes = 0;
    while (!signal.aborted) {
      this.lastDelayMs = delayMs;
      await sleep(delayMs, signal);
      if (signal.aborted) return;
      probes += 1;
      try {
        await this.options.probe();
      } catch (error) {
        this.options.metrics.temporalProbes.inc({ result: 'unavailable' });
        delayMs = Math.min(this.maxDelayMs, delayMs * 2);
        this.options.logger.debug({ err: error, probes, nextProbeInMs: delayMs }, 'Temporal still unavailable; intake stays paused');
        continue;
      }
      this.options.metrics.temporalProbes.inc({ result: 'answered' });
      this.resume(probes);
      return;
    }
  }

  private resume(probes: number): void {
    const pausedMs = Date.now() - (this.pausedAt ?? Date.now());
    this.pausedAt = undefined;
    this.resumedAt = Date.now();
    this.options.metrics.intakePaused.set(0);
    this.options.logger.info({ pausedMs, probes }, 'Temporal answers again: intake resumed');
    this.emit('resumed', { pausedMs, probes });
    for (const wake of this.waiters.splice(0)) wake();
  }
}
