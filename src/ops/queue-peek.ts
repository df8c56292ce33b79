import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageSystemAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsOperationError } from '../errors/sqs-operation-error';

/** Most messages one `ReceiveMessage` or batch call handles. */
const SQS_BATCH_LIMIT = 10;

/** System attributes an operator reads: receive count, times, and the queue a dead letter came from. */
export const PEEK_SYSTEM_ATTRIBUTES: readonly MessageSystemAttributeName[] = ['All'];

/**
 * Thrown when a queue has a redrive policy: every receive counts toward its
 * `maxReceiveCount`, so reading it to look would push its messages toward its
 * dead-letter queue. Only the dead-letter and quarantine queues may be peeked.
 */
export class UnsafePeekError extends Error {
  readonly queueUrl: string;
  readonly redrivePolicy: string;
  readonly hint = 'Only queues without a redrive policy (the dead-letter and quarantine queues) can be read without changing them.';

  constructor(queueUrl: string, redrivePolicy: string) {
    super(`refusing to read ${queueUrl}: it has a redrive policy (${redrivePolicy}), so every receive would count toward moving its messages to the dead-letter queue`);
    this.name = 'UnsafePeekError';
    this.queueUrl = queueUrl;
    this.redrivePolicy = redrivePolicy;
  }
}

/** True when `error` is an {@link UnsafePeekError}. */
export function isUnsafePeekError(error: unknown): error is UnsafePeekError {
  return error instanceof UnsafePeekError;
}

/**
 * Throws {@link UnsafePeekError} when the queue has a redrive policy (reading
 * it would count toward its dead-letter redrive), {@link SqsOperationError}
 * when SQS cannot say.
 */
export async function assertPeekable(sqs: Pick<SQSClient, 'send'>, queueUrl: string, signal?: AbortSignal): Promise<void> {
  let redrivePolicy: string | undefined;
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }), { abortSignal: signal });
    redrivePolicy = Attributes?.RedrivePolicy;
  } catch (cause) {
    throw new SqsOperationError('GetQueueAttributes', queueUrl, [], cause);
  }
  if (redrivePolicy !== undefined && redrivePolicy !== '') throw new UnsafePeekError(queueUrl, redrivePolicy);
}

/** Options of {@link createQueueReader}. */
export interface QueueReaderOptions {
  /** How long received messages stay hidden while the reader holds them. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Long-poll wait of each receive. 0 is SQS short polling, which on AWS asks
   * only a sample of servers and may answer "empty" while messages remain.
   * @default 1
   */
  readonly waitTimeSeconds?: number;
  /** Aborts receives and stops reading; releasing held messages still runs. */
  readonly signal?: AbortSignal;
}

/** A message whose visibility could not be restored, and why (it reappears after the visibility timeout). */
export interface ReleaseFailure {
  readonly messageId: string;
  readonly reason: string;
}

/**
 * Receives the messages of one queue page by page and holds them (hidden)
 * until they are released or forgotten. A message seen before (its
 * visibility ran out while held) is not returned again; a page of only such
 * messages ends the reading, as does an empty one.
 */
export interface QueueReader {
  readonly queueUrl: string;
  /** Up to `max` (≤ 10) messages not returned before; empty when the queue has no more. */
  readPage(max?: number): Promise<Message[]>;
  /** The reader no longer holds this message (it was deleted). */
  forget(messageId: string): void;
  /** Makes every held message visible again at once (visibility 0); never throws. */
  releaseAll(): Promise<ReleaseFailure[]>;
  /** Messages held now. */
  readonly held: number;
}

/** A {@link QueueReader} on `queueUrl`. Check the queue with {@link assertPeekable} first. */
export function createQueueReader(sqs: Pick<SQSClient, 'send'>, queueUrl: string, options: QueueReaderOptions = {}): QueueReader {
  const visibilityTimeout = options.visibilityTimeoutSeconds ?? 30;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const held = new Map<string, string>();
  const seen = new Set<string>();
  let exhausted = false;

  return {
    queueUrl,
    get held() {
      return held.size;
    },
    async readPage(max = SQS_BATCH_LIMIT) {
      if (exhausted || options.signal?.aborted) return [];
      let messages: Message[];
      try {
        const response = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.max(1, Math.min(SQS_BATCH_LIMIT, max)),
            VisibilityTimeout: visibilityTimeout,
            WaitTimeSeconds: waitTimeSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: [...PEEK_SYSTEM_ATTRIBUTES],
          }),
          { abortSignal: options.signal },
        );
        messages = response.Messages ?? [];
      } catch (cause) {
        if (options.signal?.aborted) return [];
        throw new SqsOperationError('ReceiveMessage', queueUrl, [], cause);
      }
      const fresh: Message[] = [];
      for (const message of messages) {
        const id = message.MessageId ?? '';
        if (message.ReceiptHandle) held.set(id, message.ReceiptHandle);
        if (!seen.has(id)) {
          seen.add(id);
          fresh.push(message);
        }
      }
      if (fresh.length === 0) exhausted = true;
      return fresh;
    },
    forget(messageId) {
      held.delete(messageId);
    },
    async releaseAll() {
      const entries = [...held.entries()];
      held.clear();
      const failures: ReleaseFailure[] = [];
      for (let i = 0; i < entries.length; i += SQS_BATCH_LIMIT) {
        const batch = entries.slice(i, i + SQS_BATCH_LIMIT);
        try {
          // Not aborted with the reading: messages must become visible again even when the command is interrupted.
          const response = await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map(([, receiptHandle], index) => ({ Id: String(index), ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })),
            }),
            { abortSignal: AbortSignal.timeout(10_000) },
          );
          for (const failed of response.Failed ?? []) {
            failures.push({ messageId: batch[Number(failed.Id)]?.[0] ?? '?', reason: `${failed.Code ?? 'Unknown'}: ${failed.Message ?? ''}` });
          }
        } catch (cause) {
          const error = new SqsOperationError('ChangeMessageVisibilityBatch', queueUrl, batch.map(([id]) => id), cause);
          for (const [messageId] of batch) failures.push({ messageId, reason: error.message });
        }
      }
      return failures;
    },
  };
}

/** Options of {@link peekMessages}. */
export interface PeekOptions extends QueueReaderOptions {
  /** Most messages to read. @default no limit */
  readonly limit?: number;
  /** Stops reading once a message matches (`dlq show`). */
  readonly until?: (message: Message) => boolean;
  /** Called with every page read (progress). */
  readonly onPage?: (messages: readonly Message[]) => void;
}

/** What {@link peekMessages} read. */
export interface PeekResult {
  readonly messages: Message[];
  /** Messages whose visibility could not be restored; they reappear after the visibility timeout. */
  readonly releaseFailures: ReleaseFailure[];
}

/**
 * Reads the messages of a queue without consuming them: receives page after
 * page (each message hidden meanwhile, so none hides another), then makes
 * them all visible again at once. Refuses queues with a redrive policy
 * ({@link UnsafePeekError}). Every read adds one to each message's
 * `ApproximateReceiveCount`.
 */
export async function peekMessages(sqs: Pick<SQSClient, 'send'>, queueUrl: string, options: PeekOptions = {}): Promise<PeekResult> {
  await assertPeekable(sqs, queueUrl, options.signal);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const reader = createQueueReader(sqs, queueUrl, options);
  const messages: Message[] = [];
  let releaseFailures: ReleaseFailure[] = [];
  try {
    while (messages.length < limit) {
      const page = await reader.readPage(Math.min(SQS_BATCH_LIMIT, limit - messages.length));
      if (page.length === 0) break;
      messages.push(...page);
      options.onPage?.(page);
      if (options.until && page.some(options.until)) break;
    }
  } finally {
    releaseFailures = await reader.releaseAll();
  }
  return { messages, releaseFailures };
}
