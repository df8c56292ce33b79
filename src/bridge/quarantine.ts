import { GetQueueAttributesCommand, type Message, type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SqsOperationError } from '../errors/sqs-operation-error';

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
/** The shortest reason worth keeping a quarantine attribute for before other attributes give way. */
const MIN_REASON_LENGTH = 64;

/** The message size every SQS queue (and ElasticMQ with strict limits) accepts: 256 KiB. */
export const SQS_DEFAULT_MAX_MESSAGE_BYTES = 262_144;

/** A rejected message and why. */
export interface QuarantineRequest {
  readonly message: Message;
  readonly sourceQueueUrl: string;
  readonly route: string;
  readonly reason: string;
}

/** What a quarantine copy carries, once fitted to the quarantine queue's size limit. */
export interface QuarantineCopy {
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  /** Bytes SQS counts for the copy: the body plus every attribute's name, type and value (UTF-8). */
  readonly bytes: number;
}

/**
 * Thrown when the body alone exceeds the quarantine queue's
 * `MaximumMessageSize`; the message then stays on its queue (and the bridge
 * logs the reason with each failure). Cannot happen while the quarantine
 * queue's limit is at least the route queues'.
 */
export class QuarantineTooLargeError extends Error {
  readonly bodyBytes: number;
  readonly maxMessageBytes: number;

  constructor(bodyBytes: number, maxMessageBytes: number) {
    super(
      `the body (${bodyBytes} bytes) is larger than the quarantine queue's MaximumMessageSize (${maxMessageBytes} bytes); raise the quarantine queue's MaximumMessageSize (up to 1048576) above the route queues'`,
    );
    this.name = 'QuarantineTooLargeError';
    this.bodyBytes = bodyBytes;
    this.maxMessageBytes = maxMessageBytes;
  }
}

/**
 * Copies a rejected message to the quarantine queue: same body, its own
 * attributes kept where room allows, plus the reason and the queue it came
 * from, so it can be inspected and redriven. The body is never changed; when
 * the copy would exceed the quarantine queue's `MaximumMessageSize` (asked
 * only then), attributes give way in this order until it fits: the original
 * message's own attributes (the reason says how many were dropped), the
 * rejection time and source message ID, the reason beyond
 * {@link MIN_REASON_LENGTH} characters, the source queue and route, and
 * finally the rest of the reason: a body within a few dozen bytes of the
 * limit is quarantined without attributes (the bridge's `message rejected`
 * log line still has the reason), rather than retried into the dead-letter
 * queue. Returns the names of the attributes the copy kept. Throws
 * {@link SqsOperationError}, or {@link QuarantineTooLargeError} when the body
 * alone exceeds the quarantine queue's limit.
 */
export async function quarantineMessage(sqs: SQSClient, quarantineQueueUrl: string, request: QuarantineRequest, signal?: AbortSignal): Promise<string[]> {
  const rejectedAt = new Date();
  let copy = toQuarantineCopy(request, rejectedAt, Number.POSITIVE_INFINITY);
  if (copy === undefined || copy.bytes > SQS_DEFAULT_MAX_MESSAGE_BYTES) {
    const limit = await readMaxMessageBytes(sqs, quarantineQueueUrl, signal);
    copy = toQuarantineCopy(request, rejectedAt, limit);
    if (copy === undefined) throw new QuarantineTooLargeError(toUtf8Bytes(toQuarantineBody(request.message)), limit);
  }
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: quarantineQueueUrl, MessageBody: copy.body, MessageAttributes: copy.attributes }), { abortSignal: signal });
  } catch (cause) {
    throw new SqsOperationError('SendMessage (quarantine)', quarantineQueueUrl, [request.message.MessageId ?? 'unknown'], cause);
  }
  return Object.keys(copy.attributes);
}

/**
 * The quarantine copy of `request` that fits `maxMessageBytes` with as many
 * attributes as room allows (see {@link quarantineMessage}), or undefined when
 * the body alone does not fit. Pure.
 */
export function toQuarantineCopy(request: QuarantineRequest, rejectedAt: Date, maxMessageBytes: number): QuarantineCopy | undefined {
  const body = toQuarantineBody(request.message);
  const reason = toAttributeText(request.reason);
  const ours = (text: string, optional: boolean, located: boolean): Record<string, MessageAttributeValue> => ({
    [QUARANTINE_ATTRIBUTES.reason]: toStringAttribute(text),
    ...(located
      ? {
          [QUARANTINE_ATTRIBUTES.sourceQueue]: toStringAttribute(request.sourceQueueUrl),
          [QUARANTINE_ATTRIBUTES.route]: toStringAttribute(request.route),
        }
      : {}),
    ...(optional
      ? {
          [QUARANTINE_ATTRIBUTES.sourceMessageId]: toStringAttribute(request.message.MessageId ?? 'unknown'),
          [QUARANTINE_ATTRIBUTES.rejectedAt]: toStringAttribute(rejectedAt.toISOString()),
        }
      : {}),
  });
  const ourNames = new Set<string>(Object.values(QUARANTINE_ATTRIBUTES));
  const original = Object.entries(request.message.MessageAttributes ?? {})
    .filter(([name]) => !ourNames.has(name))
    .slice(0, MAX_ATTRIBUTES - ourNames.size);

  const full = truncate(reason, MAX_REASON_LENGTH);
  const withOriginal = { ...Object.fromEntries(original), ...ours(full, true, true) };
  if (toCopyBytes(body, withOriginal) <= maxMessageBytes) return toCopy(body, withOriginal);

  const dropped = original.length > 0 ? ` [${original.length} attribute(s) of the original message dropped to fit the quarantine queue's size limit]` : '';
  const noted = truncate(`${reason}${dropped}`, MAX_REASON_LENGTH);
  for (const [optional, located, minimum] of [
    [true, true, MAX_REASON_LENGTH],
    [false, true, MIN_REASON_LENGTH],
    [false, false, 16],
  ] as const) {
    const fixed = toCopyBytes(body, ours('', optional, located));
    const room = maxMessageBytes - fixed;
    const text = truncateToBytes(noted, room);
    if (text.length >= Math.min(minimum, noted.length)) return toCopy(body, ours(text, optional, located));
  }
  return toUtf8Bytes(body) <= maxMessageBytes ? toCopy(body, {}) : undefined;
}

/** SQS rejects an empty body; an empty message is quarantined as a visible marker. */
function toQuarantineBody(message: Message): string {
  return message.Body === undefined || message.Body === '' ? '(empty body)' : message.Body;
}

function toCopy(body: string, attributes: Record<string, MessageAttributeValue>): QuarantineCopy {
  return { body, attributes, bytes: toCopyBytes(body, attributes) };
}

function toStringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

function toCopyBytes(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let bytes = toUtf8Bytes(body);
  for (const [name, value] of Object.entries(attributes)) {
    bytes += toUtf8Bytes(name) + toUtf8Bytes(value.DataType ?? '') + toUtf8Bytes(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

function toUtf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Text SQS accepts in an attribute (XML 1.0 characters): control characters
 * other than tab and line breaks, lone surrogates and U+FFFE/U+FFFF become
 * U+FFFD, so a reason that names odd input can always be sent.
 */
export function toAttributeText(text: string): string {
  let result = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        result += text.slice(index, index + 2);
        index++;
      } else {
        result += '\uFFFD';
      }
    } else {
      result += isXmlCharacter(code) ? text.charAt(index) : '\uFFFD';
    }
  }
  return result;
}

/** A BMP code unit XML 1.0 allows (surrogates are handled by the caller). */
function isXmlCharacter(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `text` cut (with an ellipsis) to at most `maxBytes` UTF-8 bytes; empty when not even the ellipsis fits. */
function truncateToBytes(text: string, maxBytes: number): string {
  if (toUtf8Bytes(text) <= maxBytes) return text;
  const ellipsisBytes = toUtf8Bytes('…');
  if (maxBytes < ellipsisBytes) return '';
  let end = Math.min(text.length, maxBytes - ellipsisBytes);
  while (end > 0 && toUtf8Bytes(text.slice(0, end)) > maxBytes - ellipsisBytes) end--;
  if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** The queue's `MaximumMessageSize`, or the 256 KiB every queue accepts when SQS does not say. */
async function readMaxMessageBytes(sqs: SQSClient, queueUrl: string, signal: AbortSignal | undefined): Promise<number> {
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }), { abortSignal: signal });
    const bytes = Number(Attributes?.MaximumMessageSize);
    return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : SQS_DEFAULT_MAX_MESSAGE_BYTES;
  } catch {
    return SQS_DEFAULT_MAX_MESSAGE_BYTES;
  }
}
