/** How big and how long a fault-suite run is (`--quick` shortens every outage and shrinks every volume, for CI). */
export interface FaultSettings {
  readonly quick: boolean;
  /** Events per route in the process faults (SIGKILL, SIGSTOP, SIGTERM, bridge kill). */
  readonly eventsPerRoute: number;
  /** Documents of each entity in the entity-deleted workloads of the process faults. */
  readonly documentsPerEntity: number;
  /** Documents of the big cascade the PostgreSQL outage hits. */
  readonly bigDocuments: number;
  /** Temporal outage, ms. */
  readonly temporalDownMs: number;
  /** PostgreSQL outage, ms. */
  readonly postgresDownMs: number;
  /** S3 and SNS (moto) outage, ms. */
  readonly motoDownMs: number;
  /** SQS (ElasticMQ) outage, ms. */
  readonly sqsDownMs: number;
  /** How long another transaction holds the row lock, ms. */
  readonly rowLockMs: number;
  /** How long the bridge stays SIGSTOPped (past the shipped 30 s visibility timeout), ms. */
  readonly bridgeStopMs: number;
  /** Copies of the same event sent at once (from three bridges). */
  readonly sameEventCopies: number;
  /** How long a fault may take to recover after it ends before it is reported as "did not recover". */
  readonly recoverTimeoutMs: number;
}

/** The full suite (about an hour on 2 cores) and the CI run (a few minutes). */
export function toFaultSettings(options: { quick?: boolean }): FaultSettings {
  const quick = options.quick ?? false;
  return {
    quick,
    eventsPerRoute: quick ? 20 : 200,
    documentsPerEntity: quick ? 1000 : 5000,
    bigDocuments: quick ? 5000 : 100_000,
    temporalDownMs: quick ? 30_000 : 600_000,
    postgresDownMs: quick ? 25_000 : 300_000,
    motoDownMs: quick ? 25_000 : 300_000,
    sqsDownMs: quick ? 20_000 : 120_000,
    rowLockMs: quick ? 20_000 : 120_000,
    bridgeStopMs: 40_000,
    sameEventCopies: 50,
    recoverTimeoutMs: quick ? 150_000 : 1_800_000,
  };
}
