import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { INCENTIVE_EVENT_ACTION, type IncentiveEventItem } from '../shared/tasks';
import { MessageTooLargeError } from './errors';

/**
 * The message size the task producer keeps to by default: 256 KiB, the limit
 * every SQS queue (and emulator) accepts; queues allow up to
 * {@link SQS_MAX_PAYLOAD_BYTES} since 2025 (`maxMessageBytes` raises it).
 */
export const SQS_MAX_MESSAGE_BYTES = 262_144;

/** SQS's largest message, and largest `SendMessageBatch` payload (all entries together): 1 MiB. */
export const SQS_MAX_PAYLOAD_BYTES = 1_048_576;

/**
 * The queue's `MaximumMessageSize`, for the producer's `maxMessageBytes`.
 * Undefined when SQS cannot be asked (unreachable: the messages go to the
 * outbox anyway) or does not say; the caller then keeps the default.
 */
export async function readQueueMaxMessageBytes(sqs: Pick<SQSClient, 'send'>, queueUrl: string, signal?: AbortSignal): Promise<number | undefined> {
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }), { abortSignal: signal });
    const bytes = Number(Attributes?.MaximumMessageSize);
    return Number.isSafeInteger(bytes) && bytes > 0 ? Math.min(bytes, SQS_MAX_PAYLOAD_BYTES) : undefined;
  } catch {
    return undefined;
  }
}

/** Size SQS counts for a body: its UTF-8 bytes. */
export function toBodyBytes(body: string): number {
  return Buffer.byteLength(body, 'utf8');
}

/**
 * The body of one task: `{"action":…,"data":…,"task_id":…}`. `taskId` (a
 * UUID) is the task's identity on the tasks route: made once per message when
 * the producer builds it, then kept by every retry and outbox re-send of that
 * message, so those are duplicates while a separate send is a new task.
 */
export function toTaskBody(action: string, data: unknown, taskId: string): string {
  return JSON.stringify({ action, data, task_id: taskId });
}

/** A new task ID (a random UUID). */
export function newTaskId(): string {
  return randomUUID();
}

/** How {@link toEventBodies} splits events. */
export interface EventChunking {
  /** Most events per message. */
  readonly eventsPerMessage: number;
  /** Largest body, in UTF-8 bytes. */
  readonly maxMessageBytes: number;
}

/** Task IDs are UUIDs: 36 ASCII characters, so every body's overhead is the same. */
const TASK_ID_SAMPLE = '00000000-0000-0000-0000-000000000000';

/**
 * Splits events into `event` task bodies, in order: each holds at most
 * `eventsPerMessage` events and serializes to at most `maxMessageBytes`
 * (sizes are measured, so a chunk of large events is split further). Each
 * body gets its own task ID from `newId`. No events, no body. Throws
 * {@link MessageTooLargeError} when one event alone does not fit.
 */
export function toEventBodies(events: readonly IncentiveEventItem[], chunking: EventChunking, newId: () => string = newTaskId): string[] {
  // JSON.stringify of an array is "[" + items joined by "," + "]", so sizes add up exactly.
  const overhead = toBodyBytes(toTaskBody(INCENTIVE_EVENT_ACTION, [], TASK_ID_SAMPLE));
  const bodies: string[] = [];
  let chunk: string[] = [];
  let chunkBytes = overhead;
  const flush = () => {
    if (chunk.length === 0) return;
    const taskId = newId();
    if (taskId.length !== TASK_ID_SAMPLE.length) throw new TypeError(`task IDs must be UUIDs, got ${JSON.stringify(taskId)}`);
    bodies.push(`{"action":${JSON.stringify(INCENTIVE_EVENT_ACTION)},"data":[${chunk.join(',')}],"task_id":${JSON.stringify(taskId)}}`);
    chunk = [];
    chunkBytes = overhead;
  };
  events.forEach((event, index) => {
    const json = JSON.stringify(event);
    const bytes = toBodyBytes(json);
    if (overhead + bytes > chunking.maxMessageBytes) {
      throw new MessageTooLargeError(INCENTIVE_EVENT_ACTION, `event #${index} alone`, overhead + bytes, chunking.maxMessageBytes);
    }
    const separator = chunk.length === 0 ? 0 : 1;
    if (chunk.length >= chunking.eventsPerMessage || chunkBytes + separator + bytes > chunking.maxMessageBytes) flush();
    chunkBytes += (chunk.length === 0 ? 0 : 1) + bytes;
    chunk.push(json);
  });
  flush();
  return bodies;
}
