import type { SQSClient } from '@aws-sdk/client-sqs';
import { findJsonProblem, toJsonProblemReason } from '../routes/json-inspection';
import { findTaskActionHandler, parseIncentiveEvents } from '../routes/task-actions';
import { INCENTIVE_EVENT_ACTION } from '../shared/tasks';
import { type SendBodiesOptions, sendBodies } from './batch-sender';
import { InvalidTaskError, MessageTooLargeError, OutboxWriteError } from './errors';
import { type OutboxStore, writeToOutbox } from './outbox';
import { SQS_MAX_MESSAGE_BYTES, newTaskId, toBodyBytes, toEventBodies, toTaskBody } from './task-bodies';

/** Options of {@link createTaskProducer}. */
export interface TaskProducerOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  /** The tasks route's queue (`CASCADE_QUEUE_URL_TASKS`). */
  readonly queueUrl: string;
  /**
   * Where messages go when SQS cannot be reached (after the SDK's retries);
   * `cascade outbox flush` and the `cascade/outbox-flush` schedule re-send
   * them. Without it they are reported as failed.
   */
  readonly outbox?: OutboxStore;
  /** Most events per `event` message (`CASCADE_TASK_EVENTS_PER_MESSAGE`). @default 500 */
  readonly eventsPerMessage?: number;
  /** The queue's maximum message size, in bytes. @default 262144 (SQS's default) */
  readonly maxMessageBytes?: number;
  /** Largest total of bodies in one `SendMessageBatch` call. @default the larger of 262144 and `maxMessageBytes` */
  readonly maxBatchBytes?: number;
  /** Tries per message when SQS refuses single entries of a batch. @default 3 */
  readonly entryAttempts?: number;
  /** Pause before re-sending refused entries, times the attempt number. @default 100 */
  readonly entryRetryDelayMs?: number;
}

/** A message that was neither sent nor stored in the outbox. */
export interface FailedMessage {
  /** Position of the message among those of the call. */
  readonly index: number;
  readonly reason: string;
}

/** What a send did with each of its messages. */
export interface TaskSendResult {
  /** Messages the call produced (an `event` batch is split into several). */
  readonly messages: number;
  /** Messages SQS accepted. */
  readonly sent: number;
  /** Messages stored in the outbox because SQS could not be reached; they are re-sent by the outbox flush. */
  readonly outboxed: number;
  /** Why messages went to the outbox (the SQS error), when some did. */
  readonly outboxReason?: string;
  /** Messages neither sent nor outboxed (SQS refused them as malformed, or there is no outbox). */
  readonly failed: FailedMessage[];
}

/** Per-call options. */
export interface SendOptions {
  readonly signal?: AbortSignal;
}

/** The producer side of the tasks route. */
export interface TaskProducer {
  /**
   * Sends one task `{action, data, task_id}` with a new task ID (kept by the
   * SDK's retries and the outbox re-send, so the route runs it once; another
   * call with the same content is another task). `data` must be storable (no
   * NUL or lone surrogates, no `__proto__` keys, nesting within 64 levels)
   * and, when a handler exists for `action`, valid for it. Throws
   * {@link InvalidTaskError} (nothing sent) for invalid input or a task larger
   * than the maximum message size.
   */
  sendTask(action: string, data: unknown, options?: SendOptions): Promise<TaskSendResult>;
  /**
   * Sends incentive events as `event` tasks: at most `eventsPerMessage` per
   * message and within the maximum message size, ten messages per
   * `SendMessageBatch`, each message with its own task ID (as for
   * {@link sendTask}). No events, no message. Throws {@link InvalidTaskError}
   * (nothing sent) when an event is invalid or too large on its own.
   */
  sendEvents(events: readonly unknown[], options?: SendOptions): Promise<TaskSendResult>;
}

/** Creates a producer for the tasks route's queue. Throws `TypeError` for invalid options. */
export function createTaskProducer(options: TaskProducerOptions): TaskProducer {
  const eventsPerMessage = options.eventsPerMessage ?? 500;
  const maxMessageBytes = options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;
  assertPositiveInteger('eventsPerMessage', eventsPerMessage);
  assertPositiveInteger('maxMessageBytes', maxMessageBytes);
  if (options.maxBatchBytes !== undefined) assertPositiveInteger('maxBatchBytes', options.maxBatchBytes);
  if (options.queueUrl.length === 0) throw new TypeError('queueUrl must be the tasks queue URL (CASCADE_QUEUE_URL_TASKS)');
  const sendOptions: SendBodiesOptions = {
    maxBatchBytes: options.maxBatchBytes ?? Math.max(SQS_MAX_MESSAGE_BYTES, maxMessageBytes),
    ...(options.entryAttempts === undefined ? {} : { entryAttempts: options.entryAttempts }),
    ...(options.entryRetryDelayMs === undefined ? {} : { entryRetryDelayMs: options.entryRetryDelayMs }),
  };

  async function send(bodies: readonly string[], signal: AbortSignal | undefined): Promise<TaskSendResult> {
    if (bodies.length === 0) return { messages: 0, sent: 0, outboxed: 0, failed: [] };
    const result = await sendBodies(options.sqs, options.queueUrl, bodies, { ...sendOptions, ...(signal ? { signal } : {}) });
    const refused = result.unsent.filter((u) => u.senderFault);
    const retryable = result.unsent.filter((u) => !u.senderFault);
    const failed: FailedMessage[] = refused.map(({ index, reason }) => ({ index, reason }));
    if (retryable.length === 0) return { messages: bodies.length, sent: result.sent.length, outboxed: 0, failed };
    const outboxReason = retryable[0]?.reason ?? 'not sent';
    if (options.outbox === undefined) {
      failed.push(...retryable.map(({ index, reason }) => ({ index, reason: `${reason} (no outbox configured)` })));
      return { messages: bodies.length, sent: result.sent.length, outboxed: 0, failed: failed.sort((a, b) => a.index - b.index) };
    }
    try {
      await writeToOutbox(options.outbox, options.queueUrl, retryable.map((u) => bodies[u.index] ?? ''), outboxReason);
    } catch (error) {
      throw new OutboxWriteError(options.queueUrl, result.sent.length, retryable.length, error);
    }
    return { messages: bodies.length, sent: result.sent.length, outboxed: retryable.length, outboxReason, failed };
  }

  return {
    async sendTask(action, data, callOptions = {}) {
      if (typeof action !== 'string' || action.length === 0) throw new InvalidTaskError(String(action), 'action must be a non-empty string');
      // Inspected as the route will see it: inside the body, one level down.
      const problem = findJsonProblem({ action, data });
      if (problem !== undefined) throw new InvalidTaskError(action, `invalid ${action} task: ${toJsonProblemReason(problem)}`);
      const handler = findTaskActionHandler(action);
      const outcome = handler?.parse(data);
      if (outcome?.kind === 'rejected') throw new InvalidTaskError(action, `invalid ${action} task: ${outcome.reason}`);
      const body = toTaskBody(action, data, newTaskId());
      const bytes = toBodyBytes(body);
      if (bytes > maxMessageBytes) throw new MessageTooLargeError(action, `the ${action} task`, bytes, maxMessageBytes);
      return send([body], callOptions.signal);
    },

    async sendEvents(events, callOptions = {}) {
      const problem = findJsonProblem({ action: INCENTIVE_EVENT_ACTION, data: events });
      if (problem !== undefined) throw new InvalidTaskError(INCENTIVE_EVENT_ACTION, `invalid events: ${toJsonProblemReason(problem)}`);
      const outcome = parseIncentiveEvents(events);
      if (outcome.kind === 'rejected') throw new InvalidTaskError(INCENTIVE_EVENT_ACTION, `invalid events: ${outcome.reason}`);
      const valid = outcome.kind === 'valid' ? outcome.data : [];
      return send(toEventBodies(valid, { eventsPerMessage, maxMessageBytes }), callOptions.signal);
    },
  };
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
}
