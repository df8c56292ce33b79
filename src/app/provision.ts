import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, type SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { toQueueUrlVariable } from '../routes/route-names';
import type { QueueConfig } from '../stack/queue-config';
import { CASCADE_SEARCH_ATTRIBUTES } from '../stack/search-attributes';

/** One queue `cascade init` ensured. */
export interface EnsuredQueue {
  readonly variable: string;
  readonly name: string;
  readonly url: string;
  readonly action: 'created' | 'updated' | 'would-create' | 'would-update';
}

/**
 * Creates (or updates the attributes of) the dead-letter queue, the
 * quarantine queue and one queue per route with its redrive policy. Safe to
 * run again: existing queues get their attributes re-applied.
 */
export async function ensureQueues(sqs: SQSClient, config: QueueConfig, options: { dryRun?: boolean } = {}): Promise<EnsuredQueue[]> {
  const common = {
    VisibilityTimeout: String(config.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(config.messageRetentionSeconds),
  };
  const results: EnsuredQueue[] = [];
  const dlq = await ensureQueue(sqs, config.deadLetterQueue, { MessageRetentionPeriod: '1209600' }, options.dryRun);
  results.push({ variable: 'CASCADE_DEAD_LETTER_QUEUE_URL', name: config.deadLetterQueue, ...dlq });
  const quarantine = await ensureQueue(sqs, config.quarantineQueue, { MessageRetentionPeriod: '1209600' }, options.dryRun);
  results.push({ variable: 'CASCADE_QUARANTINE_QUEUE_URL', name: config.quarantineQueue, ...quarantine });
  const dlqArn = dlq.url ? await getQueueArn(sqs, dlq.url, options.dryRun) : `arn:aws:sqs:::${config.deadLetterQueue}`;
  for (const [route, routeQueue] of Object.entries(config.routes)) {
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: config.maxReceiveCount });
    const ensured = await ensureQueue(sqs, routeQueue.queue, { ...common, RedrivePolicy: redrive }, options.dryRun);
    results.push({ variable: toQueueUrlVariable(route), name: routeQueue.queue, ...ensured });
  }
  return results;
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
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return { url: created.QueueUrl ?? '', action: 'created' };
}

async function getQueueArn(sqs: SQSClient, url: string, dryRun = false): Promise<string> {
  if (dryRun && url === '') return '';
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no QueueArn attribute`);
  return arn;
}

/** One search attribute `cascade init` ensured. */
export interface EnsuredSearchAttribute {
  readonly name: string;
  readonly action: 'created' | 'exists' | 'would-create';
}

/** Registers Cascade's custom search attributes in the namespace (only the missing ones). */
export async function ensureSearchAttributes(client: Client, namespace: string, options: { dryRun?: boolean } = {}): Promise<EnsuredSearchAttribute[]> {
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
