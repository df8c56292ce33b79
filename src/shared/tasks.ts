/*
 * Types of the tasks route, shared by the parser, the producer, the workflows
 * and the activities. Workflow code imports this file, so it must stay free of
 * Node built-ins and side effects.
 */

import type { ActivityPolicyInput } from './cascade-input';

/** Any JSON value (what `eventMeta` may hold). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The action of incentive-event batches. */
export const INCENTIVE_EVENT_ACTION = 'event';

/** One incentive event: it happened to each of `userIds`. */
export interface IncentiveEventItem {
  /** The users the event is recorded for (one `incentive_events` row each). */
  readonly userIds: readonly string[];
  readonly eventName: string;
  /** Free-form details, stored as JSON; absent or null is stored as NULL. */
  readonly eventMeta?: JsonValue;
}

/** A task as it travels on the queue: `{action, data}`. */
export interface TaskMessage<TAction extends string = string, TData = unknown> {
  readonly action: TAction;
  readonly data: TData;
}

/** An `event` task: a batch of incentive events. */
export type IncentiveEventsTask = TaskMessage<typeof INCENTIVE_EVENT_ACTION, readonly IncentiveEventItem[]>;

/**
 * Every task a handler exists for, as the bridge hands it to a workflow.
 * Adding an action: add its task type to this union, then its handler in
 * `src/routes/task-actions.ts` (the compiler asks for it).
 */
export type TaskEvent = IncentiveEventsTask;

/** The actions that have a handler. */
export type TaskAction = TaskEvent['action'];

/** What an incentive-events cascade did. */
export interface IncentiveEventsResult {
  /** Events in the task. */
  readonly events: number;
  /** Rows the task stands for (one per user per event, repeated users of one event counted once). */
  readonly rows: number;
  /** Rows this run inserted; fewer than `rows` when a redelivery found them already there. */
  readonly rowsInserted: number;
}

/** Input of the outbox flush workflow (started by the `cascade/outbox-flush` schedule). */
export interface OutboxFlushInput {
  readonly activity: ActivityPolicyInput;
  /** Most messages one activity call re-sends. @default 1000 */
  readonly messagesPerCall?: number;
}

/** What one outbox flush (activity call or whole workflow) did. */
export interface OutboxFlushResult {
  /** Messages re-sent and removed from the outbox. */
  readonly sent: number;
  /** Messages still in the outbox afterwards. */
  readonly remaining: number;
  /** Queues whose flush stopped at a failure, with the error (their later messages wait for the next flush). */
  readonly failures: ReadonlyArray<{ readonly queueUrl: string; readonly error: string }>;
}
