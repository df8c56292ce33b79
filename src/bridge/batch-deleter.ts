import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { SqsOperationError } from '../errors/sqs-operation-error';

/** What {@link BatchDeleter} needs. */
export interface BatchDeleterOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly logger: Logger;
  /** How long a delete may wait for others to fill a batch. @default 10 */
  readonly lingerMs?: number;
  /** Per-attempt timeout of one `DeleteMessageBatch` call. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Called with the IDs of messages whose delete failed (they will come back). */
  readonly onFailure?: (messageIds: readonly string[], error: Error) => void;
}

interface PendingDelete {
  readonly id: string;
  readonly receiptHandle: string;
  readonly done: () => void;
}

/**
 * Acknowledges messages of one queue in `DeleteMessageBatch` calls of up to
 * ten. `delete()` resolves once the batch holding the message was answered;
 * it never rejects: a failed delete only means the message is redelivered,
 * and the bridge then answers it as a duplicate.
 */
export class BatchDeleter {
  private pending: PendingDelete[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly lingerMs: number;

  constructor(private readonly options: BatchDeleterOptions) {
    this.lingerMs = options.lingerMs ?? 10;
  }

  /** Queues `receiptHandle` for deletion; resolves when SQS answered. */
  delete(messageId: string, receiptHandle: string): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push({ id: messageId, receiptHandle, done: resolve });
      if (this.pending.length >= 10) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Sends what is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 10);
      void this.send(batch);
    }
  }

  private async send(batch: PendingDelete[]): Promise<void> {
    const byEntryId = new Map(batch.map((item, index) => [String(index), item]));
    try {
      const result = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((item, index) => ({ Id: String(index), ReceiptHandle: item.receiptHandle })),
        }),
        { requestTimeout: this.options.requestTimeoutMs ?? 5_000 },
      );
      const failed = (result.Failed ?? []).map((entry) => ({ entry, item: byEntryId.get(entry.Id ?? '') }));
      if (failed.length > 0) {
        const ids = failed.map(({ item }) => item?.id ?? '?');
        const reasons = failed.map(({ entry }) => `${entry.Code ?? '?'}: ${entry.Message ?? ''}`).join('; ');
        const error = new SqsOperationError('DeleteMessageBatch', this.options.queueUrl, ids, new Error(reasons));
        this.options.logger.warn({ err: error, messageIds: ids }, 'some deletes failed; those messages will be redelivered and answered as duplicates');
        this.options.onFailure?.(ids, error);
      }
    } catch (cause) {
      const ids = batch.map((item) => item.id);
      const error = new SqsOperationError('DeleteMessageBatch', this.options.queueUrl, ids, cause);
      this.options.logger.warn({ err: error, messageIds: ids }, 'delete batch failed; messages will be redelivered and answered as duplicates');
      this.options.onFailure?.(ids, error);
    } finally {
      for (const item of batch) item.done();
    }
  }
}
