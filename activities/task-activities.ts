import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import type { IncentiveEventItem, IncentiveEventsResult } from '../src/shared/tasks';
import { toUuidV5 } from './entity-event-ids';

/**
 * Namespace of incentive event row IDs (itself the UUIDv5 of
 * "cascade.incentive-events" in the RFC 4122 URL namespace).
 */
export const INCENTIVE_EVENT_ID_NAMESPACE = '0d67b72c-018c-5763-a5b7-e331d19f1485';

/** What the task activities need: the `incentive_events` table. */
export interface TaskActivityDeps {
  readonly db: Pick<PrismaClient, '$executeRaw'>;
}

/** Input of {@link TaskActivities.recordIncentiveEvents}. */
export interface RecordIncentiveEventsInput {
  /** The cascade's workflow ID: with the event index and user it determines each row's ID. */
  readonly workflowId: string;
  readonly events: readonly IncentiveEventItem[];
}

/**
 * The deterministic ID of the row of user `userId` for event number
 * `eventIndex` of the task run by `workflowId`: a redelivered or retried
 * task computes the same IDs, so it inserts nothing twice.
 */
export function toIncentiveEventId(workflowId: string, eventIndex: number, userId: string): string {
  return toUuidV5(`${workflowId}\n${eventIndex}\n${userId}`, INCENTIVE_EVENT_ID_NAMESPACE);
}

/** The task activities: side effects of the tasks route's handlers. */
export function createTaskActivities(deps: TaskActivityDeps) {
  return {
    /**
     * Records one `incentive_events` row per user per event, all in one
     * statement, with deterministic IDs and `ON CONFLICT DO NOTHING`: a
     * retry or redelivery inserts only what is missing.
     */
    async recordIncentiveEvents(input: RecordIncentiveEventsInput): Promise<IncentiveEventsResult> {
      assertInput(input);
      const rows = new Map<string, { userId: string; eventName: string; eventMeta: string | null }>();
      input.events.forEach((event, index) => {
        const eventMeta = event.eventMeta === undefined || event.eventMeta === null ? null : JSON.stringify(event.eventMeta);
        for (const userId of event.userIds) rows.set(toIncentiveEventId(input.workflowId, index, userId), { userId, eventName: event.eventName, eventMeta });
      });
      const ids = [...rows.keys()];
      const values = [...rows.values()];
      const rowsInserted = await deps.db.$executeRaw`
        INSERT INTO incentive_events (id, user_id, event_name, event_meta, workflow_id)
        SELECT r.id, r.user_id, r.event_name, r.event_meta, ${input.workflowId}
        FROM unnest(
          ${ids}::uuid[],
          ${values.map((v) => v.userId)}::text[],
          ${values.map((v) => v.eventName)}::text[],
          ${values.map((v) => v.eventMeta)}::jsonb[]
        ) AS r(id, user_id, event_name, event_meta)
        ON CONFLICT (id) DO NOTHING`;
      return { events: input.events.length, rows: rows.size, rowsInserted };
    },
  };
}

/** The task activities, as registered with the worker. */
export type TaskActivities = ReturnType<typeof createTaskActivities>;

function assertInput(input: RecordIncentiveEventsInput): void {
  if (typeof input.workflowId !== 'string' || input.workflowId.length === 0) {
    throw ApplicationFailure.nonRetryable('workflowId must be a non-empty string', NON_RETRYABLE_INPUT_ERROR);
  }
  if (!Array.isArray(input.events)) throw ApplicationFailure.nonRetryable('events must be an array', NON_RETRYABLE_INPUT_ERROR);
  input.events.forEach((event: IncentiveEventItem, index) => {
    const validUsers = Array.isArray(event.userIds) && event.userIds.length > 0 && event.userIds.every((u) => typeof u === 'string' && u.length > 0);
    if (!validUsers) throw ApplicationFailure.nonRetryable(`events[${index}].userIds must list at least one non-empty user ID`, NON_RETRYABLE_INPUT_ERROR);
    if (typeof event.eventName !== 'string' || event.eventName.length === 0) {
      throw ApplicationFailure.nonRetryable(`events[${index}].eventName must be a non-empty string`, NON_RETRYABLE_INPUT_ERROR);
    }
  });
}
