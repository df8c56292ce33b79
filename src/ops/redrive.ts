import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsOperationError } from '../errors/sqs-operation-error';
import { QUARANTINE_ATTRIBUTES } from '../bridge/quarantine';
import { SQS_MAX_MESSAGE_BYTES } from '../producer/task-bodies';
import { type DeadLetter, type DeadLetterQueue, type DeadLetterQueueKind, toDeadLetter } from './dead-letters';
import type { SourceResolver } from './message-source';
import { readQueueDepth, toTotalDepth } from './queue-depth';
import { type QueueReader, type ReleaseFailure, assertPeekable, createQueueReader } from './queue-peek';

/** Where a message goes back to. */
export interface RedriveDestination {
  readonly queueUrl: string;
  /** The route consuming that queue, when it is a configured route queue. */
  readonly route: string | undefined;
}

/** Options of {@link redriveDeadLetters}. */
export interface RedriveOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  /** Read in this order. */
  readonly queues: readonly DeadLetterQueue[];
  readonly resolver: SourceResolver;
  /** Where a message whose source is unknown goes (`--to <route>`); without it such a message is skipped. */
  readonly fallback?: RedriveDestination;
  /** Most messages read (redriven, skipped or failed) over all queues. @default no limit */
  readonly max?: number;
  /** Reads and plans, sends and deletes nothing. @default false */
  readonly dryRun?: boolean;
  /** Stops after the SQS call in progress; messages already sent are still deleted, the rest made visible again. */
  readonly signal?: AbortSignal;
  /** How long messages stay hidden while this run holds them. @default 120 */
  readonly visibilityTimeoutSeconds?: number;
  /** Called once per queue with how many messages it will likely read, then after every page with how many it handled (progress). */
  readonly onDepth?: (queue: DeadLetterQueue, expected: number) => void;
  readonly onProgress?: (handled: number) => void;
}

/** `redriven`: sent back and deleted; `would-redrive`: the same, in a dry run; `skipped` and `failed` stay where they are. */
export type RedriveOutcome = 'redriven' | 'would-redrive' | 'skipped' | 'failed';

/** What became of one message. */
export interface RedriveEntry {
  readonly queue: DeadLetterQueueKind;
  readonly messageId: string;
  readonly outcome: RedriveOutcome;
  /** Why it is there (the rejection reason, or what SQS tells of a dead letter). */
  readonly why: string;
  readonly destination?: RedriveDestination;
  /** Its ID on the destination queue. */
  readonly newMessageId?: string;
  /** Why it was skipped or failed. */
  readonly reason?: string;
}

/** What {@link redriveDeadLetters} did. */
export interface RedriveSummary {
  readonly dryRun: boolean;
  readonly redriven: number;
  readonly wouldRedrive: number;
  readonly skipped: number;
  readonly failed: number;
  readonly entries: RedriveEntry[];
  /** True when the signal stopped the run before every queue was read. */
  readonly interrupted: boolean;
  /** Held messages whose visibility could not be restored (they reappear after the visibility timeout). */
  readonly releaseFailures: ReleaseFailure[];
}

/** One message received from a waiting queue, with its summary and destination. */
interface Planned {
  readonly message: Message;
  readonly letter: DeadLetter;
  readonly destination: RedriveDestination;
}

const QUARANTINE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(Object.values(QUARANTINE_ATTRIBUTES));
const SQS_BATCH_LIMIT = 10;

/**
 * Moves messages of the dead-letter and quarantine queues back to the queue
 * they came from: same body, same message attributes (minus the `cascade.*`
 * annotations of a quarantined copy), in `SendMessageBatch` calls of up to
 * ten. Copies go only to the configured route queues: a source that is not
 * one of them (whatever `cascade.source-queue` says) is refused like an
 * unknown one. A message is deleted only after SQS accepted its copy; one whose
 * source is unknown or refused is skipped unless `fallback` names a queue. Everything
 * not moved is made visible again at the end. Failures are reported per
 * message, never thrown, except when a queue cannot be read at all
 * ({@link SqsOperationError}, {@link UnsafePeekError}).
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveSummary> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const entries: RedriveEntry[] = [];
  const releaseFailures: ReleaseFailure[] = [];
  for (const queue of options.queues) {
    if (entries.length >= max || options.signal?.aborted) break;
    await assertPeekable(options.sqs, queue.queueUrl, options.signal);
    const depth = toTotalDepth(await readQueueDepth(options.sqs, queue.queueUrl, options.signal));
    options.onDepth?.(queue, Math.min(depth, max - entries.length));
    const reader = createQueueReader(options.sqs, queue.queueUrl, {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 120,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      while (entries.length < max) {
        const page = await reader.readPage(Math.min(SQS_BATCH_LIMIT, max - entries.length));
        if (page.length === 0) break;
        const handled = await redrivePage(page, queue, reader, options);
        entries.push(...handled);
        options.onProgress?.(handled.length);
      }
    } finally {
      releaseFailures.push(...(await reader.releaseAll()));
    }
  }
  const count = (outcome: RedriveOutcome) => entries.filter((e) => e.outcome === outcome).length;
  return {
    dryRun: options.dryRun ?? false,
    redriven: count('redriven'),
    wouldRedrive: count('would-redrive'),
    skipped: count('skipped'),
    failed: count('failed'),
    entries,
    interrupted: options.signal?.aborted ?? false,
    releaseFailures,
  };
}

async function redrivePage(page: readonly Message[], queue: DeadLetterQueue, reader: QueueReader, options: RedriveOptions): Promise<RedriveEntry[]> {
  const entries: RedriveEntry[] = [];
  const planned: Planned[] = [];
  for (const message of page) {
    const letter = await toDeadLetter(message, queue.kind, options.resolver);
    const base = { queue: queue.kind, messageId: letter.messageId, why: letter.reason };
    // Only queues of the configuration receive copies: a cascade.source-queue attribute (or a dead-letter source) naming any other queue is not followed.
    const configuredRoute = letter.source.known ? options.resolver.routeOf(letter.source.queueUrl) : undefined;
    const destination: RedriveDestination | undefined = letter.source.known && configuredRoute !== undefined ? { queueUrl: letter.source.queueUrl, route: configuredRoute } : options.fallback;
    if (destination === undefined) {
      const reason = letter.source.known
        ? `its source ${letter.source.queueUrl} (from ${letter.source.evidence}) is not a route queue of this configuration (CASCADE_QUEUE_URL_*), so it is not sent there; pass --to <route> to send it to a configured one`
        : `source queue unknown (${letter.source.reason}); pass --to <route> to choose where it goes`;
      entries.push({ ...base, outcome: 'skipped', reason });
    } else if (destination.queueUrl === queue.queueUrl) {
      entries.push({ ...base, outcome: 'skipped', destination, reason: 'its source is the queue it is in' });
    } else if (options.dryRun) {
      entries.push({ ...base, outcome: 'would-redrive', destination });
    } else {
      planned.push({ message, letter, destination });
    }
  }
  const byDestination = new Map<string, Planned[]>();
  for (const item of planned) byDestination.set(item.destination.queueUrl, [...(byDestination.get(item.destination.queueUrl) ?? []), item]);
  for (const [destinationUrl, items] of byDestination) {
    for (const batch of toSendBatches(items)) {
      entries.push(...(await sendAndDelete(batch, destinationUrl, queue, reader, options.sqs, options.signal)));
    }
  }
  return entries;
}

/** Sends one batch to its destination, then deletes from the waiting queue exactly the messages SQS accepted. */
async function sendAndDelete(
  batch: readonly Planned[],
  destinationUrl: string,
  queue: DeadLetterQueue,
  reader: QueueReader,
  sqs: Pick<SQSClient, 'send'>,
  signal: AbortSignal | undefined,
): Promise<RedriveEntry[]> {
  const entryOf = (item: Planned, outcome: RedriveOutcome, extra: { reason?: string; newMessageId?: string } = {}): RedriveEntry => ({
    queue: queue.kind,
    messageId: item.letter.messageId,
    outcome,
    why: item.letter.reason,
    destination: item.destination,
    ...extra,
  });
  if (signal?.aborted) return batch.map((item) => entryOf(item, 'failed', { reason: 'interrupted before it was sent; it stays where it is' }));

  let sent: SendMessageBatchCommandOutput;
  try {
    sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: destinationUrl,
        Entries: batch.map((item, index) => ({ Id: String(index), MessageBody: item.message.Body ?? '', MessageAttributes: toRedriveAttributes(item.message, queue.kind) })),
      }),
      { abortSignal: signal },
    );
  } catch (cause) {
    const error = new SqsOperationError('SendMessageBatch', destinationUrl, batch.map((item) => item.letter.messageId), cause);
    const reason = signal?.aborted
      ? 'interrupted while sending; it stays where it is (if SQS took the copy anyway, Cascade answers the next redrive as a duplicate)'
      : error.message;
    return batch.map((item) => entryOf(item, 'failed', { reason }));
  }

  const entries: RedriveEntry[] = [];
  for (const failed of sent.Failed ?? []) {
    const item = batch[Number(failed.Id)];
    if (item) entries.push(entryOf(item, 'failed', { reason: `SQS refused the copy: ${failed.Code ?? 'Unknown'}: ${failed.Message ?? ''}` }));
  }
  const accepted = (sent.Successful ?? []).flatMap((entry) => {
    const item = batch[Number(entry.Id)];
    return item ? [{ item, newMessageId: entry.MessageId ?? '' }] : [];
  });
  if (accepted.length === 0) return entries;

  const notDeleted = (reason: string) =>
    `sent to ${destinationUrl}, but not deleted here (${reason}); the next redrive sends it again and Cascade answers that copy as a duplicate`;
  try {
    // Not aborted with the run: a message SQS accepted must leave the waiting queue even when the command is interrupted.
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: accepted.map(({ item }, index) => ({ Id: String(index), ReceiptHandle: item.message.ReceiptHandle })),
      }),
      { abortSignal: AbortSignal.timeout(10_000) },
    );
    const failedDeletes = new Map((deleted.Failed ?? []).map((f) => [Number(f.Id), `${f.Code ?? 'Unknown'}: ${f.Message ?? ''}`]));
    accepted.forEach(({ item, newMessageId }, index) => {
      const failure = failedDeletes.get(index);
      if (failure === undefined) {
        reader.forget(item.letter.messageId);
        entries.push(entryOf(item, 'redriven', { newMessageId }));
      } else {
        entries.push(entryOf(item, 'failed', { newMessageId, reason: notDeleted(failure) }));
      }
    });
  } catch (cause) {
    const error = new SqsOperationError('DeleteMessageBatch', queue.queueUrl, accepted.map(({ item }) => item.letter.messageId), cause);
    for (const { item, newMessageId } of accepted) entries.push(entryOf(item, 'failed', { newMessageId, reason: notDeleted(error.message) }));
  }
  return entries;
}

/** The message attributes to send back: all of them, minus the annotations the bridge added when it quarantined the message. */
export function toRedriveAttributes(message: Message, queue: DeadLetterQueueKind): Record<string, MessageAttributeValue> {
  const kept = Object.entries(message.MessageAttributes ?? {}).filter(([name]) => queue !== 'quarantine' || !QUARANTINE_ATTRIBUTE_NAMES.has(name));
  return Object.fromEntries(
    kept.map(([name, value]): [string, MessageAttributeValue] => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
      },
    ]),
  );
}

/** Batches of at most ten messages and 256 KiB (body and attributes) each; a larger message goes alone. */
function toSendBatches(items: readonly Planned[]): Planned[][] {
  const batches: Planned[][] = [];
  let batch: Planned[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = toPayloadBytes(item.message);
    if (batch.length === SQS_BATCH_LIMIT || (batch.length > 0 && bytes + size > SQS_MAX_MESSAGE_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function toPayloadBytes(message: Message): number {
  let bytes = Buffer.byteLength(message.Body ?? '');
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}
