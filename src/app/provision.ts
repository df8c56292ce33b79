import { type BucketLocationConstraint, CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, type SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { AUDIT_TOPIC_ARN_ENV, EMAIL_ARCHIVE_BUCKET_ENV, type QueueConfig, type QueueDefinition, toQueueDefinitions } from '../stack/queue-config';
import { CASCADE_SEARCH_ATTRIBUTES } from '../temporal/search-attributes';

/** One queue `cascade init` ensured. */
export interface EnsuredQueue {
  readonly variable: string;
  readonly name: string;
  readonly url: string;
  readonly action: 'created' | 'updated' | 'would-create' | 'would-update';
}

/** Options of the `ensure*` functions. */
export interface EnsureOptions {
  /** Report what would change, change nothing. */
  readonly dryRun?: boolean;
}

/** How long the dead-letter and quarantine queues keep messages (the SQS maximum, 14 days). */
const KEPT_QUEUE_RETENTION_SECONDS = '1209600';

/**
 * Route queues take messages of at most 256 KiB; the quarantine and
 * dead-letter queues take 1 MiB (the SQS maximum), so a rejected message's
 * quarantine copy always has room for its reason attributes.
 */
export const ROUTE_QUEUE_MAX_MESSAGE_BYTES = '262144';
export const KEPT_QUEUE_MAX_MESSAGE_BYTES = '1048576';

/**
 * Creates (or updates the attributes of) every queue of the config: the
 * dead-letter queue, the quarantine queue, one queue per route with its
 * redrive policy, and the FIFO queues routes send to. Safe to run again:
 * existing queues get their attributes re-applied.
 */
export async function ensureQueues(sqs: SQSClient, config: QueueConfig, options: EnsureOptions = {}): Promise<EnsuredQueue[]> {
  const definitions = toQueueDefinitions(config);
  const byKind = (kind: QueueDefinition['kind']) => definitions.filter((d) => d.kind === kind);
  const results: EnsuredQueue[] = [];
  const ensure = async (definition: QueueDefinition, attributes: Record<string, string>) => {
    const ensured = await ensureQueue(sqs, definition.name, attributes, options.dryRun);
    results.push({ variable: definition.envName, name: definition.name, ...ensured });
    return ensured;
  };
  let deadLetterArn = `arn:aws:sqs:::${config.deadLetterQueue}`;
  for (const definition of byKind('dead-letter')) {
    const dlq = await ensure(definition, { MessageRetentionPeriod: KEPT_QUEUE_RETENTION_SECONDS, MaximumMessageSize: KEPT_QUEUE_MAX_MESSAGE_BYTES });
    if (dlq.url) deadLetterArn = await getQueueArn(sqs, dlq.url);
  }
  for (const definition of byKind('quarantine')) {
    await ensure(definition, { MessageRetentionPeriod: KEPT_QUEUE_RETENTION_SECONDS, MaximumMessageSize: KEPT_QUEUE_MAX_MESSAGE_BYTES });
  }
  for (const definition of byKind('route')) {
    const redrive = { deadLetterTargetArn: deadLetterArn, maxReceiveCount: definition.deadLetter?.maxReceiveCount ?? config.maxReceiveCount };
    await ensure(definition, { ...toQueueAttributes(definition), MaximumMessageSize: ROUTE_QUEUE_MAX_MESSAGE_BYTES, RedrivePolicy: JSON.stringify(redrive) });
  }
  for (const definition of byKind('destination')) await ensure(definition, toQueueAttributes(definition));
  return results;
}

function toQueueAttributes(definition: QueueDefinition): Record<string, string> {
  return {
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(definition.messageRetentionSeconds),
  };
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>, dryRun = false): Promise<Pick<EnsuredQueue, 'url' | 'action'>> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist) && (error as { name?: string }).name !== 'AWS.SimpleQueueService.NonExistentQueue') throw error;
  }
  if (url) {
    if (!dryRun) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return { url, action: dryRun ? 'would-update' : 'updated' };
  }
  if (dryRun) return { url: '', action: 'would-create' };
  // FifoQueue can only be given at creation (SetQueueAttributes refuses it).
  const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...attributes, ...fifo } }));
  return { url: created.QueueUrl ?? '', action: 'created' };
}

async function getQueueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no QueueArn attribute`);
  return arn;
}

/** One SNS topic or S3 bucket `cascade init` ensured, with the variable that names it. */
export interface EnsuredDestination {
  readonly variable: string;
  readonly kind: 'topic' | 'bucket';
  readonly name: string;
  /** The topic ARN or the bucket name; empty when a dry run would create the topic. */
  readonly value: string;
  readonly action: 'created' | 'exists' | 'would-create';
}

/**
 * Creates the SNS topic (FIFO when its name ends in `.fifo`) unless a topic
 * of that name exists. CreateTopic itself is idempotent; the lookup only
 * serves dry runs and the report.
 */
export async function ensureTopic(sns: SNSClient, name: string, options: EnsureOptions = {}): Promise<EnsuredDestination> {
  const existing = await findTopicArn(sns, name);
  const base = { variable: AUDIT_TOPIC_ARN_ENV, kind: 'topic' as const, name };
  if (existing !== undefined) return { ...base, value: existing, action: 'exists' };
  if (options.dryRun) return { ...base, value: '', action: 'would-create' };
  const fifo = name.endsWith('.fifo') ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : undefined;
  const created = await sns.send(new CreateTopicCommand({ Name: name, ...(fifo ? { Attributes: fifo } : {}) }));
  if (!created.TopicArn) throw new Error(`CreateTopic ${name} returned no TopicArn`);
  return { ...base, value: created.TopicArn, action: 'created' };
}

async function findTopicArn(sns: SNSClient, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand(nextToken ? { NextToken: nextToken } : {}));
    const match = (page.Topics ?? []).find((topic) => topic.TopicArn?.endsWith(`:${name}`));
    if (match?.TopicArn) return match.TopicArn;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** Creates the S3 bucket unless it exists (outside us-east-1 with the region's location constraint). */
export async function ensureBucket(s3: S3Client, name: string, region: string, options: EnsureOptions = {}): Promise<EnsuredDestination> {
  const base = { variable: EMAIL_ARCHIVE_BUCKET_ENV, kind: 'bucket' as const, name, value: name };
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    return { ...base, action: 'exists' };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  if (options.dryRun) return { ...base, action: 'would-create' };
  await s3.send(new CreateBucketCommand({ Bucket: name, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
  return { ...base, action: 'created' };
}

/** One search attribute `cascade init` ensured. */
export interface EnsuredSearchAttribute {
  readonly name: string;
  readonly action: 'created' | 'exists' | 'would-create';
}

/** Registers Cascade's custom search attributes in the namespace (only the missing ones). */
export async function ensureSearchAttributes(client: Client, namespace: string, options: EnsureOptions = {}): Promise<EnsuredSearchAttribute[]> {
  const operator = client.connection.operatorService;
  const existing = await operator.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.keys(CASCADE_SEARCH_ATTRIBUTES).filter((name) => !known.has(name));
  if (missing.length > 0 && !options.dryRun) {
    await operator.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  }
  return Object.keys(CASCADE_SEARCH_ATTRIBUTES).map((name) => ({
    name,
    action: known.has(name) ? 'exists' : options.dryRun ? 'would-create' : 'created',
  }));
}
