import type { Logger } from 'pino';
import type { StackPorts } from './ports';

/** The background services of the local stack (`temporal-ui` runs beside the `server` variant; the dev server serves its own UI). */
export const STACK_SERVICE_NAMES = ['postgres', 'temporal', 'temporal-ui', 'elasticmq', 'moto'] as const;
/** Name of one background service of the local stack. */
export type StackServiceName = (typeof STACK_SERVICE_NAMES)[number];

/** Which Temporal the stack runs: the CLI dev server (SQLite), or the Temporal server on the stack's PostgreSQL. */
export const TEMPORAL_VARIANTS = ['dev', 'server'] as const;
/** One of {@link TEMPORAL_VARIANTS}. */
export type TemporalVariant = (typeof TEMPORAL_VARIANTS)[number];

/** Reported while the stack provisions tools or starts services (first-time builds take minutes). */
export interface StackProgressEvent {
  readonly service: string;
  readonly step: string;
}

/** Where and how the local stack runs. */
export interface StackOptions {
  /** Logs, data and pid files live here, e.g. `<cwd>/.cascade/stack`. */
  stateDir: string;
  /** Tool builds (Temporal CLI, ElasticMQ jars, moto venv) are cached here, outside the repo. @default resolveCacheDir() */
  cacheDir: string;
  /** Ports on 127.0.0.1. @default DEFAULT_STACK_PORTS */
  ports: StackPorts;
  /** When set, no embedded PostgreSQL is started and this URL is used. */
  databaseUrl?: string;
  /** Queue config file. @default `<package root>/config/queues.json` */
  queueConfigPath?: string;
  /**
   * `dev`: the Temporal CLI dev server (SQLite, with its Web UI). `server`: the
   * Temporal server itself (built with Go, like the CLI) on the stack's
   * PostgreSQL, as production runs it, with the Web UI server beside it.
   * @default 'dev'
   */
  temporal?: TemporalVariant;
  logger: Logger;
  /** Progress of long steps (first-time builds), for progress output. */
  onProgress?: (event: StackProgressEvent) => void;
  /** Load `pg_stat_statements` into the embedded PostgreSQL (`npm run bench -- --profile`). @default false */
  postgresStatements?: boolean;
}

/**
 * How to reach the stack, as environment variables (`cascade stack env` prints
 * exactly these). Queue URLs appear under `CASCADE_QUEUE_URL_<ROUTE>`,
 * `CASCADE_QUARANTINE_QUEUE_URL`, `CASCADE_DEAD_LETTER_QUEUE_URL` and
 * `CASCADE_DOCUMENT_EVENTS_QUEUE_URL`.
 */
export interface StackEndpoints {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL: string;
  /** The Temporal server's Prometheus metrics, e.g. `service_latency` per operation. */
  TEMPORAL_METRICS_URL: string;
  AWS_REGION: string;
  AWS_ENDPOINT_URL_SQS: string;
  AWS_ENDPOINT_URL_S3: string;
  AWS_ENDPOINT_URL_SNS: string;
  /** Dummy credential `test` accepted by the emulators. */
  AWS_ACCESS_KEY_ID: string;
  /** Dummy credential `test` accepted by the emulators. */
  AWS_SECRET_ACCESS_KEY: string;
  CASCADE_HTTP_URL: string;
  /** The entity-deleted route's audit topic (moto). */
  CASCADE_AUDIT_TOPIC_ARN: string;
  /** The email-archive route's bucket (moto). */
  S3_BUCKET_NAME: string;
  [queueUrlVar: string]: string;
}

/** One line of `cascade stack status`. */
export interface StackServiceStatus {
  readonly service: StackServiceName;
  /** The recorded process is alive. */
  readonly running: boolean;
  readonly pid?: number;
  readonly url?: string;
  /** Which flavour runs, where a service has several (Temporal: `dev` or `server`). */
  readonly variant?: string;
  /** e.g. "accepting connections", "not started", "process 123 has exited". */
  readonly detail?: string;
}
