import { classifyAwsError } from '../src/errors';
import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Most entries SNS PublishBatch and SQS SendMessageBatch take per call. */
export const MAX_BATCH_ENTRIES = 10;

/** One outbox row, ready to send. */
export interface OutgoingEvent {
  /** The event ID: batch entry ID and FIFO deduplication ID. */
  readonly eventId: string;
  readonly body: string;
  /** FIFO message group (the source entity), so one entity's events share a group. */
  readonly groupId: string;
}

/** An entry the broker refused. */
export interface FailedEntry {
  readonly eventId: string;
  readonly code: string;
  readonly message: string;
  /** True when the request itself is at fault (resending it will not help). */
  readonly senderFault: boolean;
}

/** What one batch call did. */
export interface BatchOutcome {
  readonly sent: readonly string[];
  readonly failed: readonly FailedEntry[];
}

/** Sends up to {@link MAX_BATCH_ENTRIES} events in one call. */
export type SendEventBatch = (events: readonly OutgoingEvent[], signal: AbortSignal | undefined) => Promise<BatchOutcome>;

/** Options of {@link sendEventsInBatches}. */
export interface SendEventsOptions {
  /** Batch calls in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Tries per entry, counting the first, before its failure is reported. @default 3 */
  readonly entryAttempts?: number;
  /** Pause before re-sending failed entries, times the attempt number. @default 100 */
  readonly entryRetryDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Called after every batch call (heartbeats). */
  readonly onBatch?: () => void;
}

/** What {@link sendEventsInBatches} achieved: what was sent, and what was not and why. */
export interface SendEventsResult {
  readonly sent: string[];
  /** Entries still refused after every attempt. */
  readonly failed: FailedEntry[];
  /** The first call that failed as a whole (its batch and the batches not yet sent are unsent). */
  readonly error: unknown;
}

/**
 * Sends events ten per call, a few calls at a time. Entries a batch refuses
 * are re-sent (up to `entryAttempts`), except sender faults. Never throws:
 * the caller marks what was sent, then reports what was not.
 */
export async function sendEventsInBatches(events: readonly OutgoingEvent[], sendBatch: SendEventBatch, options: SendEventsOptions = {}): Promise<SendEventsResult> {
  const concurrency = options.concurrency ?? 4;
  const entryAttempts = options.entryAttempts ?? 3;
  const retryDelayMs = options.entryRetryDelayMs ?? 100;
  const batches: OutgoingEvent[][] = [];
  for (let i = 0; i < events.length; i += MAX_BATCH_ENTRIES) batches.push(events.slice(i, i + MAX_BATCH_ENTRIES));

  const sent: string[] = [];
  const failed: FailedEntry[] = [];
  let error: unknown;
  let next = 0;

  async function sendOne(batch: readonly OutgoingEvent[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const outcome = await sendBatch(pending, options.signal);
      options.onBatch?.();
      sent.push(...outcome.sent);
      const retryable = outcome.failed.filter((f) => !f.senderFault);
      failed.push(...outcome.failed.filter((f) => f.senderFault));
      if (attempt >= entryAttempts) {
        failed.push(...retryable);
        return;
      }
      const retryIds = new Set(retryable.map((f) => f.eventId));
      pending = pending.filter((e) => retryIds.has(e.eventId));
      if (pending.length > 0) await sleep(retryDelayMs * attempt, undefined, { signal: options.signal });
    }
  }

  async function lane(): Promise<void> {
    while (error === undefined && next < batches.length) {
      const batch = batches[next++] ?? [];
      try {
        await sendOne(batch);
      } catch (cause) {
        error ??= cause;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));
  return { sent, failed, error };
}

function isFifo(nameOrUrl: string): boolean {
  return nameOrUrl.endsWith('.fifo');
}

/** A {@link SendEventBatch} publishing to an SNS topic (FIFO group and deduplication IDs on a `.fifo` topic). */
export function createSnsBatchSender(sns: Pick<SNSClient, 'send'>, topicArn: string): SendEventBatch {
  const fifo = isFifo(topicArn);
  return async (events, signal) => {
    const response = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: events.map((e) => ({
          Id: e.eventId,
          Message: e.body,
          ...(fifo ? { MessageGroupId: e.groupId, MessageDeduplicationId: e.eventId } : {}),
        })),
      }),
      { abortSignal: signal },
    );
    return {
      sent: (response.Successful ?? []).flatMap((s) => (s.Id ? [s.Id] : [])),
      failed: (response.Failed ?? []).map((f) => ({ eventId: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault === true })),
    };
  };
}

/** A {@link SendEventBatch} sending to an SQS queue (FIFO group and deduplication IDs on a `.fifo` queue); `event_id` is also a message attribute. */
export function createSqsBatchSender(sqs: Pick<SQSClient, 'send'>, queueUrl: string): SendEventBatch {
  const fifo = isFifo(queueUrl);
  return async (events, signal) => {
    const response = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: events.map((e) => ({
          Id: e.eventId,
          MessageBody: e.body,
          MessageAttributes: { event_id: { DataType: 'String', StringValue: e.eventId } },
          ...(fifo ? { MessageGroupId: e.groupId, MessageDeduplicationId: e.eventId } : {}),
        })),
      }),
      { abortSignal: signal },
    );
    return {
      sent: (response.Successful ?? []).flatMap((s) => (s.Id ? [s.Id] : [])),
      failed: (response.Failed ?? []).map((f) => ({ eventId: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault === true })),
    };
  };
}

/** True when `error` is an AWS answer that a retry cannot fix (a missing topic or queue, denied access…; see `AWS_ERROR_TABLE`). */
export function isPermanentAwsError(error: unknown): boolean {
  return classifyAwsError(error)?.retryable === false;
}
