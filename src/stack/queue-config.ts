import { toQueueUrlVariable } from '../routes/route-names';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { findPackageRoot } from './package-root';
import { toErrorMessage } from '../errors/error-message';

const queueName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'an SQS queue name is 1 to 80 letters, digits, hyphens or underscores');
const fifoQueueName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,75}\.fifo$/, 'a FIFO queue name is 1 to 75 letters, digits, hyphens or underscores followed by .fifo');
const topicName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic name is 1 to 256 letters, digits, hyphens or underscores, optionally followed by .fifo');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name is 3 to 63 lower-case letters, digits, dots or hyphens');
const maxReceiveCount = z.number().int().min(1).max(1000);
const visibilityTimeoutSeconds = z.number().int().min(0).max(43_200);

const routeQueueSchema = z.object({
  /** Name of the SQS queue the route consumes. */
  queue: queueName,
  /** Overrides the file-wide `maxReceiveCount` for this queue. */
  maxReceiveCount: maxReceiveCount.optional(),
  /** Overrides the file-wide `visibilityTimeoutSeconds` for this queue. */
  visibilityTimeoutSeconds: visibilityTimeoutSeconds.optional(),
});

const queueConfigSchema = z
  .object({
    /** Queue that receives messages after `maxReceiveCount` failed receives (SQS redrive). */
    deadLetterQueue: queueName,
    /** Queue that keeps rejected messages together with the reason. */
    quarantineQueue: queueName,
    maxReceiveCount,
    visibilityTimeoutSeconds,
    /** SQS allows 60 s to 14 days. */
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600),
    routes: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a route name is kebab-case'), routeQueueSchema),
    /** Where the routes' own effects go (created by `cascade stack up` and `cascade init`). */
    destinations: z.object({
      /** entity-deleted: FIFO queue of the document events (`CASCADE_DOCUMENT_EVENTS_QUEUE_URL`). */
      documentEventsQueue: fifoQueueName,
      /** entity-deleted: SNS topic of the audit events (`CASCADE_AUDIT_TOPIC_ARN`); FIFO when named `.fifo`. */
      auditTopic: topicName,
      /** email-archive: bucket of the archived emails (`S3_BUCKET_NAME`). */
      emailArchiveBucket: bucketName,
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    const claim = (name: string, owner: string): void => {
      const other = seen.get(name);
      if (other !== undefined) ctx.addIssue({ code: 'custom', message: `queue "${name}" is used by both ${other} and ${owner}` });
      seen.set(name, owner);
    };
    claim(config.deadLetterQueue, 'deadLetterQueue');
    claim(config.quarantineQueue, 'quarantineQueue');
    for (const [route, entry] of Object.entries(config.routes)) claim(entry.queue, `routes.${route}`);
    claim(config.destinations.documentEventsQueue, 'destinations.documentEventsQueue');
  });

/** The queues Cascade consumes, as read from `config/queues.json`. */
export type QueueConfig = z.infer<typeof queueConfigSchema>;
/** One route's entry in {@link QueueConfig.routes}. */
export type RouteQueueConfig = z.infer<typeof routeQueueSchema>;

/** What a queue is for: consumed by a route, kept for operators, or written to by a route (`destination`). */
export type QueueKind = 'route' | 'quarantine' | 'dead-letter' | 'destination';

/** One queue to create, with its attributes resolved (route overrides applied). */
export interface QueueDefinition {
  readonly name: string;
  readonly kind: QueueKind;
  /** The route consuming the queue; only for `kind: 'route'`. */
  readonly route?: string;
  /** Environment variable that carries the queue URL, e.g. `CASCADE_QUEUE_URL_ACCOUNT_EVENTS`. */
  readonly envName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  /** A FIFO queue (name ends in `.fifo`), deduplicated by the sender's deduplication IDs. */
  readonly fifo: boolean;
  /** Redrive policy; only route queues have one. */
  readonly deadLetter?: { readonly queueName: string; readonly maxReceiveCount: number };
}

/** Environment variable of the quarantine queue URL. */
export const QUARANTINE_QUEUE_URL_ENV = 'CASCADE_QUARANTINE_QUEUE_URL';
/** Environment variable of the dead-letter queue URL. */
export const DEAD_LETTER_QUEUE_URL_ENV = 'CASCADE_DEAD_LETTER_QUEUE_URL';
/** Environment variable of the document-events queue URL (entity-deleted). */
export const DOCUMENT_EVENTS_QUEUE_URL_ENV = 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL';
/** Environment variable of the audit topic ARN (entity-deleted). */
export const AUDIT_TOPIC_ARN_ENV = 'CASCADE_AUDIT_TOPIC_ARN';
/** Environment variable of the email archive bucket (email-archive). */
export const EMAIL_ARCHIVE_BUCKET_ENV = 'S3_BUCKET_NAME';

/** Thrown when the queue config file is missing, not JSON, or invalid; names the file. */
export class QueueConfigError extends Error {
  readonly file: string;

  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`Invalid queue config ${file}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueConfigError';
    this.file = file;
  }
}

/** Path of the queue config shipped with Cascade: `<package root>/config/queues.json`. */
export function defaultQueueConfigPath(): string {
  return path.join(findPackageRoot(), 'config', 'queues.json');
}

/**
 * Reads and validates the queue config.
 * @param file defaults to {@link defaultQueueConfigPath} (resolved from the package, not the cwd)
 * @throws QueueConfigError listing every problem
 */
export function loadQueueConfig(file: string = defaultQueueConfigPath()): QueueConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new QueueConfigError(file, toErrorMessage(error), { cause: error });
  }
  const parsed = queueConfigSchema.safeParse(raw);
  if (!parsed.success) throw new QueueConfigError(file, `\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}

/** Every queue of the config (routes first, then quarantine, dead-letter and destination queues) with resolved attributes. */
export function toQueueDefinitions(config: QueueConfig): QueueDefinition[] {
  const common = { messageRetentionSeconds: config.messageRetentionSeconds, fifo: false };
  const routes = Object.entries(config.routes).map(([route, entry]): QueueDefinition => ({
    ...common,
    name: entry.queue,
    kind: 'route',
    route,
    envName: toQueueUrlVariable(route),
    visibilityTimeoutSeconds: entry.visibilityTimeoutSeconds ?? config.visibilityTimeoutSeconds,
    deadLetter: { queueName: config.deadLetterQueue, maxReceiveCount: entry.maxReceiveCount ?? config.maxReceiveCount },
  }));
  return [
    ...routes,
    { ...common, name: config.quarantineQueue, kind: 'quarantine', envName: QUARANTINE_QUEUE_URL_ENV, visibilityTimeoutSeconds: config.visibilityTimeoutSeconds },
    { ...common, name: config.deadLetterQueue, kind: 'dead-letter', envName: DEAD_LETTER_QUEUE_URL_ENV, visibilityTimeoutSeconds: config.visibilityTimeoutSeconds },
    {
      ...common,
      name: config.destinations.documentEventsQueue,
      kind: 'destination',
      envName: DOCUMENT_EVENTS_QUEUE_URL_ENV,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
      fifo: true,
    },
  ];
}
