import { z } from 'zod';
import type { CascadeConfig } from '../config';
import { type JsonObject, type TxmaEventRecord, UNKNOWN_SESSION, toTxmaPartitionKey, toTxmaSortKey } from '../shared/txma';
import { toDigestEventKey } from './event-key';
import type { ParseOutcome, RouteDefinition } from './route';
import { toIssueList } from '../shared/parse-helpers';

/** Longest accepted `event_id` (it becomes part of the workflow ID). */
const MAX_EVENT_ID_LENGTH = 128;
const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A timestamp is stored verbatim in the sort key: digits, or an ISO 8601 string. */
const TIMESTAMP_PATTERN = /^[0-9A-Za-z:.+-]{1,64}$/;

const txmaSchema = z.object({
  event_name: z.string({ message: 'is required and must be a string' }).min(1, 'must not be empty'),
  timestamp: z.union(
    [z.number().int('must be an integer').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER), z.string().regex(TIMESTAMP_PATTERN, 'must be digits or an ISO 8601 time')],
    { message: 'is required and must be a number (seconds since the epoch) or an ISO 8601 string' },
  ),
  event_id: z
    .string({ message: 'must be a string' })
    .max(MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`)
    .regex(EVENT_ID_PATTERN, 'may contain only letters, digits and . _ : -')
    .optional(),
  user: z
    .object({ session_id: z.string({ message: 'must be a string' }).optional() }, { message: 'must be an object' })
    .optional(),
});

/** What the audit-events parser needs from the configuration. */
export interface AuditEventsRouteOptions {
  /** Event names that are stored; any other name is rejected. */
  readonly eventNames: readonly string[];
  /** Event names that may come without `user.session_id` (stored under `SESSION#UNKNOWN`). */
  readonly sessionlessEventNames: readonly string[];
}

/**
 * Parses a TxMA event `{event_name, user: {session_id, …}, timestamp, …}`:
 * the name must be allowed, the timestamp present, the session a UUID (or,
 * for session-less names, absent or the literal `UNKNOWN`). The partition key
 * keeps the session ID exactly as sent, as TxMA's own consumer does, so
 * `GET /events?pk=SESSION#<id as sent>` finds it. The whole body is kept. The
 * event key is its `event_id` when it has one, else the digest of the body.
 * Never throws.
 */
export function parseTxmaEvent(body: unknown, options: AuditEventsRouteOptions): ParseOutcome<TxmaEventRecord> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'TxMA event must be a JSON object {event_name, user: {session_id}, timestamp, …}' };
  }
  const parsed = txmaSchema.safeParse(body);
  if (!parsed.success) {
    return { kind: 'rejected', reason: toIssueList(parsed.error) };
  }
  const { event_name: eventName, timestamp, event_id: eventId, user } = parsed.data;
  if (!options.eventNames.includes(eventName)) {
    const quoted = JSON.stringify(eventName.length > 100 ? `${eventName.slice(0, 100)}…` : eventName);
    return { kind: 'rejected', reason: `event_name: ${quoted} is not an allowed TxMA event (CASCADE_TXMA_EVENT_NAMES)` };
  }
  const sessionless = options.sessionlessEventNames.includes(eventName);
  const sent = user?.session_id;
  let sessionId: string;
  if (sent === undefined || (sessionless && sent === UNKNOWN_SESSION)) {
    if (!sessionless) return { kind: 'rejected', reason: `user.session_id: is required for ${eventName} events` };
    sessionId = UNKNOWN_SESSION;
  } else if (UUID_PATTERN.test(sent)) {
    sessionId = sent;
  } else {
    return { kind: 'rejected', reason: `user.session_id: must be a UUID${sessionless ? ` (or "${UNKNOWN_SESSION}" for ${eventName} events)` : ''}` };
  }
  const event = body as JsonObject;
  const record: TxmaEventRecord = { pk: toTxmaPartitionKey(sessionId), sk: toTxmaSortKey(eventName, timestamp), event };
  return { kind: 'event', event: record, eventKey: eventId ?? toDigestEventKey(event) };
}

/** The `audit-events` route: TxMA events stored in `txma_events`, configured from `config.txma`. */
export function createAuditEventsRoute(config: Pick<CascadeConfig, 'txma'>): RouteDefinition<TxmaEventRecord, 'audit-events'> {
  const options: AuditEventsRouteOptions = { eventNames: config.txma.eventNames, sessionlessEventNames: config.txma.sessionlessEventNames };
  return {
    name: 'audit-events',
    workflowType: 'auditEventsWorkflow',
    parse: (body) => parseTxmaEvent(body, options),
  };
}
