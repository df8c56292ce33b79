/*
 * Types and pure helpers shared by the bridge and the workflows. Workflow code
 * imports this file, so it must stay free of Node built-ins and side effects.
 */

import { FAILURE_TYPES } from './failure-types';

/** Activity timeouts and retries, carried in every cascade's input so a re-run keeps them. */
export interface ActivityPolicyInput {
  readonly startToCloseTimeoutMs: number;
  /**
   * How long an activity is retried in all (transient errors ride out an
   * outage this long). Absent in inputs recorded before it existed: those
   * keep their `maximumAttempts` and no schedule-to-close.
   */
  readonly scheduleToCloseTimeoutMs?: number;
  readonly retry: {
    readonly initialIntervalMs: number;
    readonly backoffCoefficient: number;
    readonly maximumIntervalMs: number;
    /** Attempts before the activity fails; 0 = unlimited (bounded by `scheduleToCloseTimeoutMs`). */
    readonly maximumAttempts: number;
  };
}

/** The input of every cascade workflow. */
export interface CascadeInput<TEvent> {
  readonly route: string;
  readonly eventKey: string;
  readonly event: TEvent;
  readonly activity: ActivityPolicyInput;
}

/** Where a cascade's message came from; stored as the workflow memo. */
export interface CascadeMemo {
  readonly queueUrl: string;
  readonly sqsMessageId: string;
  readonly receivedAt: string;
}

/** Error type of activity failures that must not be retried (bad input, not a transient fault). */
export const NON_RETRYABLE_INPUT_ERROR = FAILURE_TYPES.InvalidCascadeInput;
