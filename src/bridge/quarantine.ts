import { type Message, type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SqsOperationError } from './errors';

/** Message attributes Cascade adds to a quarantined message. */
export const QUARANTINE_ATTRIBUTES = {
  reason: 'cascade.reason',
  sourceQueue: 'cascade.source-queue',
  route: 'cascade.route',
  sourceMessageId: 'cascade.source-message-id',
  rejectedAt: 'cascade.rejected-at',
} as const;

/** SQS allows ten message attributes; the original message keeps the rest. */
const MAX_ATTRIBUTES = 10;
const MAX_REASON_LENGTH = 1024;

/** A rejected message and why. */
export interface QuarantineRequest {
  readonly message: Message;
  readonly sourceQueueUrl: string;
  readonly route: string;
  readonly reason: string;
}

/**
 * Copies a rejected message to the quarantine queue: same body, its own
 * attributes kept where room allows, plus the reason and the queue it came
 * from, so it can be inspected and redriven. Throws {@link SqsOperationError}.
 */
export async function quarantineMessage(sqs: SQSClient, quarantineQueueUrl: string, request: QuarantineRequest, signal?: AbortSignal): Promise<void> {
  const ours: Record<string, MessageAttributeValue> = {
    [QUARANTINE_ATTRIBUTES.reason]: { DataType: 'String', StringValue: truncate(request.reason, MAX_REASON_LENGTH) },
    [QUARANTINE_ATTRIBUTES.sourceQueue]: { DataType: 'String', StringValue: request.sourceQueueUrl },
    [QUARANTINE_ATTRIBUTES.route]: { DataType: 'String', StringValue: request.route },
    [QUARANTINE_ATTRIBUTES.sourceMessageId]: { DataType: 'String', StringValue: request.message.MessageId ?? 'unknown' },
    [QUARANTINE_ATTRIBUTES.rejectedAt]: { DataType: 'String', StringValue: new Date().toISOString() },
  };
  const original = Object.entries(request.message.MessageAttributes ?? {})
    .filter(([name]) => !(name in ours))
    .slice(0, MAX_ATTRIBUTES - Object.keys(ours).length);
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: quarantineQueueUrl,
        // SQS rejects an empty body; an empty message is quarantined as a visible marker.
        MessageBody: request.message.Body === undefined || request.message.Body === '' ? '(empty body)' : request.message.Body,
        MessageAttributes: { ...Object.fromEntries(original), ...ours },
      }),
      { abortSignal: signal },
    );
  } catch (cause) {
    throw new SqsOperationError('SendMessage (quarantine)', quarantineQueueUrl, [request.message.MessageId ?? 'unknown'], cause);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
