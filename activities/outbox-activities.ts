import type { SQSClient } from '@aws-sdk/client-sqs';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { type OutboxStore, flushOutbox } from '../src/producer/outbox';
import type { OutboxFlushResult } from '../src/shared/tasks';

/** What the outbox activities need: the `outbox` table and SQS. */
export interface OutboxActivityDeps {
  readonly db: OutboxStore;
  readonly sqs: Pick<SQSClient, 'send'>;
}

/** Input of {@link OutboxActivities.flushTaskOutbox}. */
export interface FlushTaskOutboxInput {
  /** Most messages re-sent by this call. @default 1000 */
  readonly maxMessages?: number;
}

/** The outbox activities: re-sending what the task producer could not send. */
export function createOutboxActivities(deps: OutboxActivityDeps) {
  return {
    /**
     * Re-sends outbox messages in order and removes each once sent (see
     * `flushOutbox`); heartbeats after every batch and stops when cancelled.
     */
    async flushTaskOutbox(input: FlushTaskOutboxInput = {}): Promise<OutboxFlushResult> {
      return flushOutbox(deps, {
        signal: cancellationSignal(),
        onBatch: () => heartbeat(),
        ...(input.maxMessages === undefined ? {} : { maxMessages: input.maxMessages }),
      });
    },
  };
}

/** The outbox activities, as registered with the worker. */
export type OutboxActivities = ReturnType<typeof createOutboxActivities>;
