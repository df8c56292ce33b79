import path from 'node:path';
import { z } from 'zod';
import { type PayloadKey, toPayloadKeys } from '../codec/payload-key';
import { type TemporalConnectionSettings, loadTemporalConnectionSettings } from '../temporal/connection-options';
import { ROUTE_NAMES, type RouteName, isRouteName, toQueueUrlVariable } from '../routes/route-names';
import type { ActivityPolicyInput } from '../shared/cascade-input';
import { ConfigError, type ConfigIssue, isConfigError } from './config-error';

/** What a process is going to run; each role needs different variables. */
export type ProcessRole = 'bridge' | 'worker' | 'http' | 'client';

/**
 * entity-deleted's documents per page: per-page cost (a local activity, one
 * transaction) is amortized over 5,000 rows; at 500 archiving took 5.7× the
 * bulk-SQL ceiling, at 5,000 2.3× (npm run bench, scenario 6).
 */
export const DEFAULT_ARCHIVE_PAGE_SIZE = 5000;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = () => z.url({ message: 'must be an absolute URL, e.g. http://127.0.0.1:9324/000000000000/my-queue' });
const optionalUrl = () => z.preprocess((v) => (v === '' ? undefined : v), url().optional());
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);
const flag = () =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be one of 1, 0, true, false, yes, no' })
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * The environment Cascade reads, with defaults. docs/configuration.md lists
 * the same variables; a test keeps the two in step.
 */
export const environmentSchema = z.object({
  /** PostgreSQL connection string. Required by the worker. */
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string')
      .optional(),
  ),
  /** Temporal frontend, host:port (overrides the address of the Temporal config file's profile). @default localhost:7233 */
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUnset, z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. localhost:7233').default('localhost:7233')),
  /** @default default */
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Task queue the worker polls and the bridge starts workflows on. @default cascade */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('cascade'),
  /** Base URL of the Temporal Web UI, for links in logs and CLI output. @default http://localhost:8233 */
  TEMPORAL_UI_URL: url().default('http://localhost:8233'),
  /** Temporal Cloud / cluster API key, sent as `authorization: Bearer <key>`; turns TLS on unless TEMPORAL_TLS=false. Unset: no key. */
  TEMPORAL_API_KEY: z.preprocess(emptyAsUnset, z.string().optional()),
  /** TLS to Temporal (true/1 on, false/0 off). Any TEMPORAL_TLS_* setting or an API key turns it on. @default false */
  TEMPORAL_TLS: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Client certificate (PEM file) for mTLS. Unset: no client certificate. */
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Client certificate (PEM text) for mTLS, instead of the _PATH. */
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Private key (PEM file) of the client certificate. */
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Private key (PEM text) of the client certificate, instead of the _PATH. */
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.preprocess(emptyAsUnset, z.string().optional()),
  /** CA (PEM file) that verifies the server. @default the system's trusted CAs */
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.preprocess(emptyAsUnset, z.string().optional()),
  /** CA (PEM text) that verifies the server, instead of the _PATH. */
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Name the server's certificate must carry. @default the host of TEMPORAL_ADDRESS */
  TEMPORAL_TLS_SERVER_NAME: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Profile of the Temporal config file; the TEMPORAL_* variables override it. @default default */
  TEMPORAL_PROFILE: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Temporal client config file (TOML profiles, as the Temporal CLI reads). @default ~/.config/temporalio/temporal.toml when it exists */
  TEMPORAL_CONFIG_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  /** @default us-east-1 */
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** SQS endpoint override (ElasticMQ locally); unset on AWS. */
  AWS_ENDPOINT_URL_SQS: optionalUrl(),
  /** Comma-separated routes this process serves. @default every route with a queue URL set */
  CASCADE_ROUTES: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** Queue where rejected messages are kept with their reason. Required by the bridge. */
  CASCADE_QUARANTINE_QUEUE_URL: optionalUrl(),
  /** The redrive target of the route queues (read by operators' tools). */
  CASCADE_DEAD_LETTER_QUEUE_URL: optionalUrl(),
  /** @default 127.0.0.1 */
  CASCADE_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. @default 8080 */
  CASCADE_HTTP_PORT: integer(0, 65535).default(8080),
  /** Concurrent long polls per queue. @default 1 */
  CASCADE_POLLERS_PER_QUEUE: integer(1, 64).default(1),
  /** SQS long-poll wait. @default 20 */
  CASCADE_WAIT_TIME_SECONDS: integer(0, 20).default(20),
  /** Messages per receive. @default 10 */
  CASCADE_BATCH_SIZE: integer(1, 10).default(10),
  /** Messages one bridge process holds at once (received, not yet acknowledged). @default 100 */
  CASCADE_MAX_IN_FLIGHT: integer(1, 10_000).default(100),
  /** First visibility delay after a transient failure; doubles per receive. @default 5 */
  CASCADE_FAILURE_BACKOFF_SECONDS: integer(0, 43_200).default(5),
  /** Longest visibility delay after a transient failure. @default 300 */
  CASCADE_FAILURE_BACKOFF_MAX_SECONDS: integer(0, 43_200).default(300),
  /** How long SIGTERM waits for in-flight work before releasing messages. @default 10000 */
  CASCADE_SHUTDOWN_GRACE_MS: integer(0, 600_000).default(10_000),
  /** Activity retry: first interval. @default 1000 */
  CASCADE_ACTIVITY_INITIAL_INTERVAL_MS: integer(1, 3_600_000).default(1000),
  /** Activity retry: backoff multiplier. @default 2 */
  CASCADE_ACTIVITY_BACKOFF_COEFFICIENT: z.coerce.number().min(1).max(10).default(2),
  /** Activity retry: longest interval. @default 60000 */
  CASCADE_ACTIVITY_MAX_INTERVAL_MS: integer(1, 86_400_000).default(60_000),
  /** Activity retry: attempts before the cascade fails; 0 = unlimited, bounded by CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS. @default 0 */
  CASCADE_ACTIVITY_MAX_ATTEMPTS: integer(0, 1000).default(0),
  /** How long an activity's transient failures are retried before the cascade fails (schedule-to-close). @default 86400000 */
  CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS: integer(1000, 2_592_000_000).default(86_400_000),
  /** Activity start-to-close timeout. @default 30000 */
  CASCADE_ACTIVITY_TIMEOUT_MS: integer(100, 86_400_000).default(30_000),
  /** SNS endpoint override (moto locally); unset on AWS. */
  AWS_ENDPOINT_URL_SNS: optionalUrl(),
  /** S3 endpoint override (moto locally); unset on AWS. Path-style addressing is used when set. */
  AWS_ENDPOINT_URL_S3: optionalUrl(),
  /** entity-deleted: comma-separated actions that archive an entity's documents; others are ignored. @default entity.deleted */
  CASCADE_ENTITY_DELETED_ACTIONS: z.string().min(1).default('entity.deleted'),
  /** entity-deleted: documents archived per activity (one DB transaction each). @default 5000 */
  CASCADE_ARCHIVE_PAGE_SIZE: integer(1, 10_000).default(DEFAULT_ARCHIVE_PAGE_SIZE),
  /** entity-deleted: SNS topic the audit events are published to. Required by the worker when the route runs. */
  CASCADE_AUDIT_TOPIC_ARN: z.string().regex(/^arn:aws:sns:/, 'must be an SNS topic ARN (arn:aws:sns:region:account:name)').optional(),
  /** entity-deleted: SQS queue the document events are published to. Required by the worker when the route runs. */
  CASCADE_DOCUMENT_EVENTS_QUEUE_URL: optionalUrl(),
  /** email-archive: bucket the messages are stored in. Required by the worker when the route runs. */
  S3_BUCKET_NAME: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name').optional(),
  /** email-archive: key prefix. @default emails */
  CASCADE_EMAIL_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'must use S3-safe characters').default('emails'),
  /** email-archive: server-side encryption, AES256 or aws:kms. @default AES256 */
  CASCADE_EMAIL_SSE: z.enum(['AES256', 'aws:kms'], { message: 'must be AES256 or aws:kms' }).default('AES256'),
  /** email-archive: KMS key ID, required with aws:kms. */
  CASCADE_EMAIL_KMS_KEY_ID: z.string().min(1).optional(),
  /** audit-events: comma-separated TxMA event names that are stored; others are rejected. @default AUTH_AUTHORISATION_REQUESTED,AUTH_IPV_AUTHORISATION_REQUESTED,AUTH_IPV_SUCCESSFUL_IDENTITY_RESPONSE_RECEIVED,AUTH_CODE_ISSUED,AUTH_LOG_IN_SUCCESS,AUTH_ACCOUNT_DELETED */
  CASCADE_TXMA_EVENT_NAMES: z
    .string()
    .min(1)
    .default('AUTH_AUTHORISATION_REQUESTED,AUTH_IPV_AUTHORISATION_REQUESTED,AUTH_IPV_SUCCESSFUL_IDENTITY_RESPONSE_RECEIVED,AUTH_CODE_ISSUED,AUTH_LOG_IN_SUCCESS,AUTH_ACCOUNT_DELETED'),
  /** audit-events: event names that may come without a session (stored under SESSION#UNKNOWN). @default AUTH_ACCOUNT_DELETED */
  CASCADE_TXMA_SESSIONLESS_EVENT_NAMES: z.string().default('AUTH_ACCOUNT_DELETED'),
  /** audit-events: how long stored events live. @default 3600 */
  CASCADE_TXMA_TTL_SECONDS: integer(1, 31_536_000).default(3600),
  /** audit-events: how often the purge schedule deletes expired events. @default 300 */
  CASCADE_TXMA_PURGE_INTERVAL_SECONDS: integer(10, 86_400).default(300),
  /**
   * account-events: secret keying the event key (workflow ID) with HMAC-SHA256, so a guessed email cannot be
   * confirmed against a workflow ID (≥ 32 characters, e.g. `openssl rand -base64 32`). Required for the bridge with
   * NODE_ENV=production. Changing it changes every account-events workflow ID (see docs/security.md).
   * Unset: the key is the plain SHA-256 of the event.
   */
  CASCADE_EVENT_KEY_SECRET: z.preprocess(emptyAsUnset, z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional()),
  /** Bearer token of `GET /events`. Unset: the endpoint answers 503 (never open without a token). */
  CASCADE_EVENTS_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Payload encryption keys, `keyId:base64key` comma-separated (32-byte keys),
   * newest first: the first key encrypts, every listed key decrypts.
   * Unset or empty: payloads are stored unencrypted.
   */
  CASCADE_PAYLOAD_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      for (const problem of toPayloadKeys(value ?? '').problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** `production` makes CASCADE_PAYLOAD_KEYS required (histories hold emails and session IDs), and CASCADE_EVENT_KEY_SECRET for a bridge serving account-events. Unset: development. */
  NODE_ENV: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Requires CASCADE_PAYLOAD_KEYS for the bridge and worker. @default true when NODE_ENV=production, else false */
  CASCADE_REQUIRE_PAYLOAD_KEYS: z.preprocess(emptyAsUnset, flag().optional()),
  /** Lets the bridge and worker run without CASCADE_PAYLOAD_KEYS where keys are required (payloads stored in plain text). @default false */
  CASCADE_ALLOW_PLAINTEXT_PAYLOADS: flag().default(false),
  /** Comma-separated origins allowed to call `POST /codec/*` from a browser. @default the origin of TEMPORAL_UI_URL */
  CASCADE_CODEC_CORS_ORIGINS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        for (const origin of toList(value ?? '').filter((o) => !isOrigin(o))) {
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(origin)} is not an origin: use scheme://host[:port] without a path, e.g. https://temporal.example.com` });
        }
      }),
  ),
  /** Bearer token `POST /codec/*` requires when set. Unset: the endpoint is open to the allowed origins; required with CASCADE_PAYLOAD_KEYS when CASCADE_HTTP_HOST is not loopback. */
  CASCADE_CODEC_TOKEN: z.preprocess(emptyAsUnset, z.string().min(16, 'must be at least 16 characters').optional()),
  /** tasks: events per `event` message the producer sends. @default 500 */
  CASCADE_TASK_EVENTS_PER_MESSAGE: integer(1, 10_000).default(500),
  /** tasks: how often the outbox flush schedule re-sends what the producer could not. @default 60 */
  CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS: integer(10, 86_400).default(60),
  /** Prebuilt workflow bundle for the worker (`npm run build` writes dist/workflow-bundle.js). Unset: bundle at start-up. */
  CASCADE_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** Where `cascade dev`/`stack` keep data, logs and pid files. @default ./.cascade */
  CASCADE_STATE_DIR: z.string().min(1).default('.cascade'),
  /** trace, debug, info, warn, error, fatal, silent. @default info */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Human-readable logs instead of JSON (same as --human-logs). @default false */
  CASCADE_HUMAN_LOGS: flag().default(false),
  /** Logs message bodies at debug level (they hold emails and session IDs); otherwise they are redacted. @default false */
  CASCADE_LOG_MESSAGE_BODIES: flag().default(false),
  /** How often a worker reads the status gauges of /metrics (queue depths, oldest waiting message, failed and stuck cascades); 0 turns them off. @default 60 */
  CASCADE_STATUS_METRICS_INTERVAL_SECONDS: integer(0, 86_400).default(60),
});

type Environment = z.infer<typeof environmentSchema>;

/** One route this process serves, with its queue. */
export interface RouteQueue {
  readonly route: RouteName;
  readonly queueUrl: string;
}

/** Validated configuration, defaults filled. */
export interface CascadeConfig {
  readonly databaseUrl: string | undefined;
  readonly temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    /** Address, namespace, TLS and API key from `TEMPORAL_*` and the Temporal config file; every Temporal connection uses it. */
    connection: TemporalConnectionSettings;
  };
  readonly routes: readonly RouteQueue[];
  readonly quarantineQueueUrl: string | undefined;
  readonly deadLetterQueueUrl: string | undefined;
  readonly http: { host: string; port: number };
  readonly bridge: {
    pollersPerQueue: number;
    waitTimeSeconds: number;
    batchSize: number;
    maxInFlight: number;
    failureBackoffSeconds: number;
    failureBackoffMaxSeconds: number;
    shutdownGraceMs: number;
  };
  readonly activity: ActivityPolicyInput;
  readonly aws: { region: string; sqsEndpoint: string | undefined; snsEndpoint: string | undefined; s3Endpoint: string | undefined };
  readonly entityDeleted: { actions: readonly string[]; pageSize: number; auditTopicArn: string | undefined; documentEventsQueueUrl: string | undefined };
  readonly emailArchive: { bucket: string | undefined; keyPrefix: string; sse: 'AES256' | 'aws:kms'; kmsKeyId: string | undefined };
  readonly txma: { eventNames: readonly string[]; sessionlessEventNames: readonly string[]; ttlSeconds: number; purgeIntervalSeconds: number };
  readonly eventsApiToken: string | undefined;
  /** account-events: the secret of the HMAC event key; undefined: plain SHA-256. */
  readonly accountEvents: { readonly eventKeySecret: string | undefined };
  /** Payload encryption keys, newest (encrypting) first; empty: payloads are not encrypted. */
  readonly payloadKeys: readonly PayloadKey[];
  /** The remote codec endpoint of the Web UI (`POST /codec/decode`, `POST /codec/encode`). */
  readonly codecEndpoint: { corsOrigins: readonly string[]; token: string | undefined };
  readonly tasks: { eventsPerMessage: number; outboxFlushIntervalSeconds: number };
  readonly workflowBundlePath: string | undefined;
  readonly stateDir: string;
  readonly log: { level: Environment['LOG_LEVEL']; human: boolean; messageBodies: boolean };
  /** The worker's status gauges (`cascade_route_queue_messages`, `cascade_cascades`…): seconds between reads, 0 off. */
  readonly statusMetrics: { intervalSeconds: number };
}

/** Names of every variable Cascade reads (route queue URLs included). */
export function listConfigVariables(): string[] {
  return [...Object.keys(environmentSchema.shape), ...ROUTE_NAMES.map(toQueueUrlVariable)];
}

/**
 * Reads and validates the environment for the given roles. Throws
 * {@link ConfigError} listing every problem with the variable to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv, roles: readonly ProcessRole[] = []): CascadeConfig {
  const parsed = environmentSchema.safeParse(env);
  const issues: ConfigIssue[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push({ variable: String(issue.path[0] ?? '?'), message: issue.message });
    }
    throw new ConfigError(issues);
  }
  const e = parsed.data;
  const routes = toRouteQueues(env, e.CASCADE_ROUTES, issues);

  if (roles.includes('worker') && !e.DATABASE_URL) {
    issues.push({ variable: 'DATABASE_URL', message: 'is required by the worker (e.g. postgresql://user:pass@host:5432/cascade); `cascade stack env` prints the local one' });
  }
  if (roles.includes('bridge')) {
    if (routes.length === 0) {
      issues.push({
        variable: ROUTE_NAMES.map(toQueueUrlVariable).join(' | '),
        message: 'the bridge needs at least one route queue URL',
      });
    }
    if (!e.CASCADE_QUARANTINE_QUEUE_URL) {
      issues.push({ variable: 'CASCADE_QUARANTINE_QUEUE_URL', message: 'is required by the bridge: rejected messages are kept there with their reason' });
    }
  }
  if (roles.includes('worker')) {
    const serves = (route: string) => routes.some((r) => r.route === route);
    if (serves('entity-deleted') && !e.CASCADE_AUDIT_TOPIC_ARN) {
      issues.push({ variable: 'CASCADE_AUDIT_TOPIC_ARN', message: 'is required by the worker for the entity-deleted route (audit events are published there)' });
    }
    if (serves('entity-deleted') && !e.CASCADE_DOCUMENT_EVENTS_QUEUE_URL) {
      issues.push({ variable: 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL', message: 'is required by the worker for the entity-deleted route (document events are published there)' });
    }
    if (serves('email-archive') && !e.S3_BUCKET_NAME) {
      issues.push({ variable: 'S3_BUCKET_NAME', message: 'is required by the worker for the email-archive route' });
    }
  }
  if (e.CASCADE_EMAIL_SSE === 'aws:kms' && !e.CASCADE_EMAIL_KMS_KEY_ID) {
    issues.push({ variable: 'CASCADE_EMAIL_KMS_KEY_ID', message: 'is required when CASCADE_EMAIL_SSE is aws:kms' });
  }
  if (e.CASCADE_FAILURE_BACKOFF_MAX_SECONDS < e.CASCADE_FAILURE_BACKOFF_SECONDS) {
    issues.push({ variable: 'CASCADE_FAILURE_BACKOFF_MAX_SECONDS', message: 'must be at least CASCADE_FAILURE_BACKOFF_SECONDS' });
  }
  if (e.CASCADE_ACTIVITY_MAX_INTERVAL_MS < e.CASCADE_ACTIVITY_INITIAL_INTERVAL_MS) {
    issues.push({ variable: 'CASCADE_ACTIVITY_MAX_INTERVAL_MS', message: 'must be at least CASCADE_ACTIVITY_INITIAL_INTERVAL_MS' });
  }
  if (e.CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS < e.CASCADE_ACTIVITY_TIMEOUT_MS) {
    issues.push({ variable: 'CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS', message: 'must be at least CASCADE_ACTIVITY_TIMEOUT_MS (one attempt must fit)' });
  }
  const requireKeys = e.CASCADE_REQUIRE_PAYLOAD_KEYS ?? e.NODE_ENV === 'production';
  if (requireKeys && (roles.includes('bridge') || roles.includes('worker')) && toPayloadKeys(e.CASCADE_PAYLOAD_KEYS ?? '').keys.length === 0 && !e.CASCADE_ALLOW_PLAINTEXT_PAYLOADS) {
    issues.push({
      variable: 'CASCADE_PAYLOAD_KEYS',
      message: `is required ${e.CASCADE_REQUIRE_PAYLOAD_KEYS === undefined ? 'with NODE_ENV=production' : 'by CASCADE_REQUIRE_PAYLOAD_KEYS'}: workflow histories hold emails, email bodies and session IDs; set keyId:base64key (\`openssl rand -base64 32\`), or CASCADE_ALLOW_PLAINTEXT_PAYLOADS=true to store them in plain text`,
    });
  }
  if (e.NODE_ENV === 'production' && roles.includes('bridge') && routes.some((r) => r.route === 'account-events') && e.CASCADE_EVENT_KEY_SECRET === undefined) {
    issues.push({
      variable: 'CASCADE_EVENT_KEY_SECRET',
      message:
        'is required by the bridge for the account-events route with NODE_ENV=production: without it the workflow ID is a plain SHA-256 of the event, so anyone who can list workflows can confirm a guessed email; set one with `openssl rand -base64 32` (changing it changes every account-events workflow ID: see docs/security.md)',
    });
  }
  if (roles.includes('http') && toPayloadKeys(e.CASCADE_PAYLOAD_KEYS ?? '').keys.length > 0 && !e.CASCADE_CODEC_TOKEN && !isLoopbackHost(e.CASCADE_HTTP_HOST)) {
    issues.push({
      variable: 'CASCADE_CODEC_TOKEN',
      message: `is required when payloads are encrypted and the HTTP server binds beyond loopback (CASCADE_HTTP_HOST=${e.CASCADE_HTTP_HOST}): without it anyone who reaches the port can decrypt payloads through POST /codec/decode; make one with \`openssl rand -base64 32\``,
    });
  }
  let connection: TemporalConnectionSettings | undefined;
  try {
    connection = loadTemporalConnectionSettings(env);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0 || connection === undefined) throw new ConfigError(issues);

  return {
    databaseUrl: e.DATABASE_URL,
    temporal: { address: connection.address, namespace: connection.namespace, taskQueue: e.TEMPORAL_TASK_QUEUE, uiUrl: e.TEMPORAL_UI_URL.replace(/\/+$/, ''), connection },
    aws: { region: e.AWS_REGION, sqsEndpoint: e.AWS_ENDPOINT_URL_SQS, snsEndpoint: e.AWS_ENDPOINT_URL_SNS, s3Endpoint: e.AWS_ENDPOINT_URL_S3 },
    entityDeleted: {
      actions: toList(e.CASCADE_ENTITY_DELETED_ACTIONS),
      pageSize: e.CASCADE_ARCHIVE_PAGE_SIZE,
      auditTopicArn: e.CASCADE_AUDIT_TOPIC_ARN,
      documentEventsQueueUrl: e.CASCADE_DOCUMENT_EVENTS_QUEUE_URL,
    },
    emailArchive: { bucket: e.S3_BUCKET_NAME, keyPrefix: e.CASCADE_EMAIL_KEY_PREFIX.replace(/^\/+|\/+$/g, ''), sse: e.CASCADE_EMAIL_SSE, kmsKeyId: e.CASCADE_EMAIL_KMS_KEY_ID },
    txma: {
      eventNames: toList(e.CASCADE_TXMA_EVENT_NAMES),
      sessionlessEventNames: toList(e.CASCADE_TXMA_SESSIONLESS_EVENT_NAMES),
      ttlSeconds: e.CASCADE_TXMA_TTL_SECONDS,
      purgeIntervalSeconds: e.CASCADE_TXMA_PURGE_INTERVAL_SECONDS,
    },
    eventsApiToken: e.CASCADE_EVENTS_API_TOKEN,
    accountEvents: { eventKeySecret: e.CASCADE_EVENT_KEY_SECRET },
    payloadKeys: toPayloadKeys(e.CASCADE_PAYLOAD_KEYS ?? '').keys,
    codecEndpoint: {
      corsOrigins: toList(e.CASCADE_CODEC_CORS_ORIGINS ?? '').length > 0 ? toList(e.CASCADE_CODEC_CORS_ORIGINS ?? '') : [new URL(e.TEMPORAL_UI_URL).origin],
      token: e.CASCADE_CODEC_TOKEN,
    },
    tasks: { eventsPerMessage: e.CASCADE_TASK_EVENTS_PER_MESSAGE, outboxFlushIntervalSeconds: e.CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS },
    routes,
    quarantineQueueUrl: e.CASCADE_QUARANTINE_QUEUE_URL,
    deadLetterQueueUrl: e.CASCADE_DEAD_LETTER_QUEUE_URL,
    http: { host: e.CASCADE_HTTP_HOST, port: e.CASCADE_HTTP_PORT },
    bridge: {
      pollersPerQueue: e.CASCADE_POLLERS_PER_QUEUE,
      waitTimeSeconds: e.CASCADE_WAIT_TIME_SECONDS,
      batchSize: e.CASCADE_BATCH_SIZE,
      maxInFlight: e.CASCADE_MAX_IN_FLIGHT,
      failureBackoffSeconds: e.CASCADE_FAILURE_BACKOFF_SECONDS,
      failureBackoffMaxSeconds: e.CASCADE_FAILURE_BACKOFF_MAX_SECONDS,
      shutdownGraceMs: e.CASCADE_SHUTDOWN_GRACE_MS,
    },
    activity: {
      startToCloseTimeoutMs: e.CASCADE_ACTIVITY_TIMEOUT_MS,
      scheduleToCloseTimeoutMs: e.CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS,
      retry: {
        initialIntervalMs: e.CASCADE_ACTIVITY_INITIAL_INTERVAL_MS,
        backoffCoefficient: e.CASCADE_ACTIVITY_BACKOFF_COEFFICIENT,
        maximumIntervalMs: e.CASCADE_ACTIVITY_MAX_INTERVAL_MS,
        maximumAttempts: e.CASCADE_ACTIVITY_MAX_ATTEMPTS,
      },
    },
    workflowBundlePath: e.CASCADE_WORKFLOW_BUNDLE ? path.resolve(e.CASCADE_WORKFLOW_BUNDLE) : undefined,
    stateDir: path.resolve(e.CASCADE_STATE_DIR),
    log: { level: e.LOG_LEVEL, human: e.CASCADE_HUMAN_LOGS, messageBodies: e.CASCADE_LOG_MESSAGE_BODIES },
    statusMetrics: { intervalSeconds: e.CASCADE_STATUS_METRICS_INTERVAL_SECONDS },
  };
}

/** True for a host that only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function toList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** True for `scheme://host[:port]` (http or https, no path), as browsers send in `Origin`. */
function isOrigin(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === value;
  } catch {
    return false;
  }
}

function toRouteQueues(env: NodeJS.ProcessEnv, selection: string | undefined, issues: ConfigIssue[]): RouteQueue[] {
  const urlSchema = url();
  const queues: RouteQueue[] = [];
  const wanted = selection
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const name of wanted ?? []) {
    if (!isRouteName(name)) {
      issues.push({ variable: 'CASCADE_ROUTES', message: `unknown route "${name}"; known routes: ${ROUTE_NAMES.join(', ')}` });
    }
  }
  for (const route of ROUTE_NAMES) {
    const variable = toQueueUrlVariable(route);
    const value = env[variable];
    const selected = wanted ? wanted.includes(route) : value !== undefined && value !== '';
    if (!selected) continue;
    if (value === undefined || value === '') {
      issues.push({ variable, message: `route ${route} is selected in CASCADE_ROUTES but has no queue URL` });
      continue;
    }
    const checked = urlSchema.safeParse(value);
    if (!checked.success) {
      issues.push({ variable, message: checked.error.issues[0]?.message ?? 'must be a URL' });
      continue;
    }
    queues.push({ route, queueUrl: value });
  }
  return queues;
}
