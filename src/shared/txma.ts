/*
 * Types and pure helpers of the audit-events (TxMA) route, shared by the
 * parser, the workflows, the activities and `GET /events`. Workflow code
 * imports this file: no Node built-ins, no side effects.
 */
import type { ActivityPolicyInput } from './cascade-input';

/** Session of events that may come without one (`CASCADE_TXMA_SESSIONLESS_EVENT_NAMES`). */
export const UNKNOWN_SESSION = 'UNKNOWN';

/** A JSON object, as stored in `txma_events.event`. */
export type JsonObject = { readonly [key: string]: unknown };

/** A validated TxMA event with its keys, as the cascade receives it. */
export interface TxmaEventRecord {
  /** `SESSION#<session_id>` (or `SESSION#UNKNOWN`). */
  readonly pk: string;
  /** `TXMA#EVENT_NAME#<event_name>#TIMESTAMP#<timestamp>`. */
  readonly sk: string;
  /** The whole event body, other fields included. */
  readonly event: JsonObject;
}

/** What an audit-events cascade stored. */
export interface TxmaStoreResult {
  readonly pk: string;
  readonly sk: string;
  /** When the row expires (ISO 8601). */
  readonly expiresAt: string;
}

/** Input of the purge workflow started by the `cascade/txma-purge` schedule. */
export interface TxmaPurgeInput {
  readonly activity: ActivityPolicyInput;
  /** Rows deleted per activity call (one statement). @default 5000 */
  readonly batchSize?: number;
}

/** What one purge run deleted. */
export interface TxmaPurgeResult {
  readonly deleted: number;
  /** True when the run stopped at its round limit with expired rows possibly left (the next run goes on). */
  readonly more: boolean;
}

/** `SESSION#<session_id>`. */
export function toTxmaPartitionKey(sessionId: string): string {
  return `SESSION#${sessionId}`;
}

/** `TXMA#EVENT_NAME#<event_name>#TIMESTAMP#<timestamp>`. */
export function toTxmaSortKey(eventName: string, timestamp: string | number): string {
  return `TXMA#EVENT_NAME#${eventName}#TIMESTAMP#${String(timestamp)}`;
}
