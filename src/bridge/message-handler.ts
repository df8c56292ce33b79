import type { Message } from '@aws-sdk/client-sqs';
import type { RouteDefinition } from '../routes/route';
import { decodeEnvelope } from './envelope';
import type { StartCascade } from './workflow-starter';

/** What the bridge decided for one message, before acting on the queue. */
export type MessageDecision =
  | { readonly outcome: 'started' | 'duplicate'; readonly workflowId: string; readonly eventKey: string }
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'rejected'; readonly reason: string };

/**
 * Decodes, parses and starts: the pure decision for one message. Throws
 * only for transient failures (the start did not get an answer), which leave
 * the message on the queue.
 */
export async function decideMessage(
  message: Message,
  route: RouteDefinition,
  queueUrl: string,
  startCascade: StartCascade,
  receivedAt: Date,
): Promise<MessageDecision> {
  const decoded = decodeEnvelope(message.Body);
  if (!decoded.ok) return { outcome: 'rejected', reason: decoded.reason };
  const sentTimestamp = Number(message.Attributes?.SentTimestamp);
  const parsed = route.parse(decoded.body, {
    messageId: message.MessageId ?? 'unknown',
    sentAt: Number.isFinite(sentTimestamp) ? new Date(sentTimestamp) : receivedAt,
  });
  if (parsed.kind !== 'event') return { outcome: parsed.kind, reason: parsed.reason };
  const result = await startCascade({
    route,
    eventKey: parsed.eventKey,
    event: parsed.event,
    ...(parsed.searchAttributes ? { searchAttributes: parsed.searchAttributes } : {}),
    memo: { queueUrl, sqsMessageId: message.MessageId ?? 'unknown', receivedAt: receivedAt.toISOString() },
  });
  return { outcome: result.status, workflowId: result.workflowId, eventKey: parsed.eventKey };
}
