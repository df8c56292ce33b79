import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SqsOperationError } from '../errors/sqs-operation-error';

/** How many messages a queue holds, as SQS approximates them. */
export interface QueueDepth {
  /** Ready to be received (`ApproximateNumberOfMessages`). */
  readonly visible: number;
  /** Received and not yet deleted or released (`ApproximateNumberOfMessagesNotVisible`). */
  readonly inFlight: number;
  /** Not yet deliverable because of a delay (`ApproximateNumberOfMessagesDelayed`). */
  readonly delayed: number;
}

/** Reads a queue's depth without receiving anything. Throws {@link SqsOperationError}. */
export async function readQueueDepth(sqs: Pick<SQSClient, 'send'>, queueUrl: string, signal?: AbortSignal): Promise<QueueDepth> {
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
      { abortSignal: signal },
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  } catch (cause) {
    throw new SqsOperationError('GetQueueAttributes', queueUrl, [], cause);
  }
}

/** Visible + in flight + delayed. */
export function toTotalDepth(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}
