import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { QUARANTINE_ATTRIBUTES } from '../bridge/quarantine';
import type { MessageSource, SourceResolver } from './message-source';
import { readQueueDepth, toTotalDepth } from './queue-depth';
import { type ReleaseFailure, peekMessages } from './queue-peek';

/** The two queues where messages wait for an operator. */
export const DEAD_LETTER_QUEUE_KINDS = ['dead-letter', 'quarantine'] as const;

/** `dead-letter`: failed `maxReceiveCount` times (moved by SQS); `quarantine`: rejected by its route (copied by the bridge). */
export type DeadLetterQueueKind = (typeof DEAD_LETTER_QUEUE_KINDS)[number];

/** One of those queues. */
export interface DeadLetterQueue {
  readonly kind: DeadLetterQueueKind;
  readonly queueUrl: string;
}

/** A message waiting in the dead-letter or quarantine queue, summarised. */
export interface DeadLetter {
  readonly queue: DeadLetterQueueKind;
  readonly messageId: string;
  /** Why it is there: the route's rejection reason, or what SQS tells of a dead letter. */
  readonly reason: string;
  readonly source: MessageSource;
  /** The route it belongs to, when known. */
  readonly route: string | undefined;
  /**
   * `ApproximateReceiveCount` as SQS reports it. For a dead letter it includes
   * the failed receives on its source queue where the SQS implementation keeps
   * them (ElasticMQ does); every read by `dlq list`/`show`/`status` adds one.
   */
  readonly receiveCount: number;
  /** When SQS first accepted it (`SentTimestamp`; a redrive to a dead-letter queue keeps it, a quarantine copy is a new message). */
  readonly sentAt: string | undefined;
  readonly ageSeconds: number | undefined;
  /** Quarantine: the message ID it had on its route queue. */
  readonly sourceMessageId?: string;
  /** Quarantine: when the route rejected it. */
  readonly rejectedAt?: string;
}

/** A message attribute as printed: binary values in base64. */
export interface PrintableAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryBase64?: string;
}

/** A waiting message in full. */
export interface DeadLetterDetail extends DeadLetter {
  readonly queueUrl: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, PrintableAttribute>>;
  readonly systemAttributes: Readonly<Record<string, string>>;
}

/** The system attribute AWS (and ElasticMQ) add to a message moved by a redrive policy. */
export const DEAD_LETTER_SOURCE_ATTRIBUTE = 'DeadLetterQueueSourceArn';

/** Summarises a received message of `queue`; the source is resolved through `resolver`. */
export async function toDeadLetter(message: Message, queue: DeadLetterQueueKind, resolver: SourceResolver, now: Date = new Date()): Promise<DeadLetter> {
  const system = message.Attributes ?? {};
  const sent = Number(system.SentTimestamp);
  const timing = Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString(), ageSeconds: Math.max(0, Math.round((now.getTime() - sent) / 1000)) } : { sentAt: undefined, ageSeconds: undefined };
  const common = { queue, messageId: message.MessageId ?? '', receiveCount: Number(system.ApproximateReceiveCount ?? 0), ...timing };

  if (queue === 'quarantine') {
    const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
    const sourceQueue = attribute(QUARANTINE_ATTRIBUTES.sourceQueue);
    const route = attribute(QUARANTINE_ATTRIBUTES.route) ?? (sourceQueue === undefined ? undefined : resolver.routeOf(sourceQueue));
    const source: MessageSource =
      sourceQueue === undefined
        ? { known: false, reason: `no ${QUARANTINE_ATTRIBUTES.sourceQueue} attribute: the message was not quarantined by Cascade` }
        : { known: true, queueUrl: sourceQueue, route, evidence: 'cascade.source-queue' };
    const sourceMessageId = attribute(QUARANTINE_ATTRIBUTES.sourceMessageId);
    const rejectedAt = attribute(QUARANTINE_ATTRIBUTES.rejectedAt);
    return {
      ...common,
      reason: attribute(QUARANTINE_ATTRIBUTES.reason) ?? `no ${QUARANTINE_ATTRIBUTES.reason} attribute`,
      source,
      route,
      ...(sourceMessageId === undefined ? {} : { sourceMessageId }),
      ...(rejectedAt === undefined ? {} : { rejectedAt }),
    };
  }

  const arn = system[DEAD_LETTER_SOURCE_ATTRIBUTE];
  if (arn === undefined) {
    return {
      ...common,
      reason: `SQS did not say where it came from (no ${DEAD_LETTER_SOURCE_ATTRIBUTE}): it was sent here directly, or this SQS implementation does not record the source`,
      source: { known: false, reason: `no ${DEAD_LETTER_SOURCE_ATTRIBUTE} attribute` },
      route: undefined,
    };
  }
  const source = await resolver.fromArn(arn);
  return {
    ...common,
    reason: 'delivery failed maxReceiveCount times, so SQS moved it here (the bridge logged each failure as "message failed" with this messageId)',
    source,
    route: source.known ? source.route : undefined,
  };
}

/** Everything SQS returned of a message, as printable data. */
export async function toDeadLetterDetail(message: Message, queue: DeadLetterQueue, resolver: SourceResolver, now: Date = new Date()): Promise<DeadLetterDetail> {
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]): [string, PrintableAttribute] => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { binaryBase64: Buffer.from(value.BinaryValue).toString('base64') }),
      },
    ]),
  );
  return {
    ...(await toDeadLetter(message, queue.kind, resolver, now)),
    queueUrl: queue.queueUrl,
    body: message.Body ?? '',
    messageAttributes,
    systemAttributes: { ...message.Attributes },
  };
}

/** Options of {@link listDeadLetters} and {@link findDeadLetter}. */
export interface DeadLetterReadOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queues: readonly DeadLetterQueue[];
  readonly resolver: SourceResolver;
  readonly signal?: AbortSignal;
  /** Called once per queue with its approximate depth, then with every page read (progress). */
  readonly onDepth?: (queue: DeadLetterQueue, depth: number) => void;
  readonly onPage?: (queue: DeadLetterQueue, read: number) => void;
}

/** The messages of one queue as `dlq list` shows them. */
export interface DeadLetterListing {
  readonly queue: DeadLetterQueueKind;
  readonly queueUrl: string;
  /** Visible + in flight + delayed, as SQS approximates it before the read. */
  readonly approximateDepth: number;
  readonly messages: DeadLetter[];
  /** True when `limit` stopped the read before the queue was exhausted. */
  readonly truncated: boolean;
  /** Messages whose visibility could not be restored (they reappear after 30 s). */
  readonly releaseFailures: ReleaseFailure[];
}

/** How long messages stay hidden while a read pages through a queue; they are released right after. */
const READ_VISIBILITY_SECONDS = 30;

/**
 * Reads up to `limit` messages of each queue without consuming them (see
 * {@link peekMessages}) and summarises each.
 */
export async function listDeadLetters(options: DeadLetterReadOptions & { readonly limit: number }): Promise<DeadLetterListing[]> {
  const listings: DeadLetterListing[] = [];
  for (const queue of options.queues) {
    const approximateDepth = toTotalDepth(await readQueueDepth(options.sqs, queue.queueUrl, options.signal));
    options.onDepth?.(queue, Math.min(approximateDepth, options.limit));
    const { messages, releaseFailures } = await peekMessages(options.sqs, queue.queueUrl, {
      limit: options.limit,
      visibilityTimeoutSeconds: READ_VISIBILITY_SECONDS,
      ...(options.signal ? { signal: options.signal } : {}),
      onPage: (page) => options.onPage?.(queue, page.length),
    });
    const now = new Date();
    listings.push({
      queue: queue.kind,
      queueUrl: queue.queueUrl,
      approximateDepth,
      messages: await Promise.all(messages.map((m) => toDeadLetter(m, queue.kind, options.resolver, now))),
      truncated: messages.length >= options.limit && approximateDepth > messages.length,
      releaseFailures,
    });
  }
  return listings;
}

/** Thrown when `dlq show` finds no message with the ID in the queues it read. */
export class DeadLetterNotFoundError extends Error {
  readonly messageId: string;
  readonly queueUrls: readonly string[];
  readonly hint = '`cascade dlq list` shows the IDs; a message received by someone else right now is hidden until its visibility timeout ends.';

  constructor(messageId: string, queueUrls: readonly string[]) {
    super(`no message ${messageId} in ${queueUrls.join(' or ')}`);
    this.name = 'DeadLetterNotFoundError';
    this.messageId = messageId;
    this.queueUrls = queueUrls;
  }
}

/**
 * Finds one message by its message ID (a quarantined message also by the ID
 * it had on its route queue) without consuming anything; throws
 * {@link DeadLetterNotFoundError}.
 */
export async function findDeadLetter(options: DeadLetterReadOptions & { readonly messageId: string }): Promise<DeadLetterDetail> {
  const matches = (message: Message) =>
    message.MessageId === options.messageId || message.MessageAttributes?.[QUARANTINE_ATTRIBUTES.sourceMessageId]?.StringValue === options.messageId;
  for (const queue of options.queues) {
    options.onDepth?.(queue, toTotalDepth(await readQueueDepth(options.sqs, queue.queueUrl, options.signal)));
    const { messages } = await peekMessages(options.sqs, queue.queueUrl, {
      visibilityTimeoutSeconds: READ_VISIBILITY_SECONDS,
      until: matches,
      ...(options.signal ? { signal: options.signal } : {}),
      onPage: (page) => options.onPage?.(queue, page.length),
    });
    const found = messages.find(matches);
    if (found) return toDeadLetterDetail(found, queue, options.resolver);
  }
  throw new DeadLetterNotFoundError(options.messageId, options.queues.map((q) => q.queueUrl));
}
