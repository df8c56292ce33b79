import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sleep } from '../sleep';
import { SQS_MAX_MESSAGE_BYTES, toBodyBytes } from './task-bodies';

/** Most entries one `SendMessageBatch` call takes. */
export const MAX_BATCH_ENTRIES = 10;

/** Options of {@link sendBodies}. */
export interface SendBodiesOptions {
  /** Largest total of bodies in one `SendMessageBatch` call. @default 262144 (SQS's limit) */
  readonly maxBatchBytes?: number;
  /** Tries per entry, counting the first, when SQS refuses single entries of a batch. @default 3 */
  readonly entryAttempts?: number;
  /** Pause before re-sending refused entries, times the attempt number. @default 100 */
  readonly entryRetryDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Called after every batch call (heartbeats, progress). */
  readonly onBatch?: () => void;
}

/** A body that was not sent, and why. */
export interface UnsentBody {
  /** Position of the body in the input. */
  readonly index: number;
  readonly reason: string;
  /** True when SQS refused the message itself (re-sending it will not help). */
  readonly senderFault: boolean;
}

/** What {@link sendBodies} did. */
export interface SendBodiesResult {
  /** Positions of the bodies SQS accepted. */
  readonly sent: number[];
  readonly unsent: UnsentBody[];
  /**
   * The first call that failed as a whole, after the SDK's own retries
   * (SQS unreachable, throttled, queue missing…); its bodies and every later
   * one are in `unsent`.
   */
  readonly error: Error | undefined;
}

/**
 * Sends bodies in order with `SendMessageBatch`: at most ten entries and
 * `maxBatchBytes` per call, one call at a time. Entries SQS refuses are
 * re-sent, except sender faults. The first call that fails as a whole stops
 * the sending. Never throws, except when `signal` aborts.
 */
export async function sendBodies(sqs: Pick<SQSClient, 'send'>, queueUrl: string, bodies: readonly string[], options: SendBodiesOptions = {}): Promise<SendBodiesResult> {
  const entryAttempts = options.entryAttempts ?? 3;
  const retryDelayMs = options.entryRetryDelayMs ?? 100;
  const batches = toBatches(bodies, options.maxBatchBytes ?? SQS_MAX_MESSAGE_BYTES);
  const sent: number[] = [];
  const unsent: UnsentBody[] = [];

  for (const [position, batch] of batches.entries()) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let response;
      try {
        response = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map((index) => ({ Id: String(index), MessageBody: bodies[index] ?? '' })) }),
          { abortSignal: options.signal },
        );
      } catch (cause) {
        if (options.signal?.aborted) throw cause;
        const error = cause instanceof Error ? cause : new Error(String(cause));
        const reason = `SendMessageBatch failed: ${error.name}: ${error.message}`;
        for (const index of [...pending, ...batches.slice(position + 1).flat()]) unsent.push({ index, reason, senderFault: false });
        return { sent, unsent, error };
      }
      options.onBatch?.();
      for (const entry of response.Successful ?? []) sent.push(Number(entry.Id));
      const retry: number[] = [];
      for (const entry of response.Failed ?? []) {
        const index = Number(entry.Id);
        const reason = `${entry.Code ?? 'Unknown'}: ${entry.Message ?? 'refused by SQS'}`;
        if (entry.SenderFault === true) unsent.push({ index, reason, senderFault: true });
        else if (attempt >= entryAttempts) unsent.push({ index, reason: `${reason} (after ${attempt} attempts)`, senderFault: false });
        else retry.push(index);
      }
      pending = retry;
      if (pending.length > 0) await sleep(retryDelayMs * attempt, options.signal);
    }
  }
  return { sent: sent.sort((a, b) => a - b), unsent: unsent.sort((a, b) => a.index - b.index), error: undefined };
}

/** Groups body positions into batches of at most ten entries and `maxBatchBytes`, keeping their order. */
export function toBatches(bodies: readonly string[], maxBatchBytes: number): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = toBodyBytes(body);
    if (batch.length === MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + size > maxBatchBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(index);
    bytes += size;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}
