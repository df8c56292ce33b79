import { DEFAULT_ARCHIVE_PAGE_SIZE } from '../src/config';

/** How big and how long a bench run is (`--quick` shrinks everything for CI). */
export interface BenchSettings {
  readonly quick: boolean;
  /** Events per throughput scenario (1, 2, 3, 5, 8). */
  readonly events: number;
  /** Repetitions of the throughput scenarios; the report gives median, min and max. */
  readonly repetitions: number;
  /** Messages the bridge holds at once (`CASCADE_MAX_IN_FLIGHT`); the direct-start ceiling uses the same concurrency. */
  readonly maxInFlight: number;
  /** Seconds of steady load in the latency scenario (4). */
  readonly latencySeconds: number;
  /** Share of the measured capacity the latency scenario runs at. */
  readonly latencyLoad: number;
  /** Documents of the big cascade (6). */
  readonly bigDocuments: number;
  /** Batch calls in flight per destination when publishing: the worker's (createEntityActivities' `publishConcurrency` default). */
  readonly publishConcurrency: number;
  /** Backlog of the memory scenario (7). */
  readonly backlog: number;
  /** Seconds the memory scenario works on its backlog before reading peak RSS (7). */
  readonly backlogSeconds: number;
  /** Seconds of the memory scenario's steady run (7). */
  readonly steadySeconds: number;
}

/** The full run (about 35 minutes on 2 cores) and the CI smoke run (under 3 minutes). */
export function toBenchSettings(options: { quick?: boolean; events?: number; repetitions?: number }): BenchSettings {
  const quick = options.quick ?? false;
  return {
    quick,
    events: options.events ?? (quick ? 300 : 3000),
    repetitions: options.repetitions ?? (quick ? 1 : 3),
    maxInFlight: 100,
    latencySeconds: quick ? 8 : 60,
    latencyLoad: 0.3,
    bigDocuments: quick ? 3000 : 100_000,
    publishConcurrency: 4,
    backlog: quick ? 1000 : 100_000,
    backlogSeconds: quick ? 10 : 120,
    steadySeconds: quick ? 10 : 600,
  };
}

/** The page sizes the big cascade (6) is measured with, by measurement key: the default, and 500 (the default until 2026-11-25). */
export const BIG_CASCADE_PAGE_SIZES = { big: DEFAULT_ARCHIVE_PAGE_SIZE, bigSmall: 500 } as const;
