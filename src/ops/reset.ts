import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { type BoundedRunOptions, runBounded } from './bounded-runs';
import Long from 'long';
import { type HistoryEvent, fetchRunHistory, isLocalActivityMarker } from './cascade-history';
import { toErrorMessage } from '../errors/error-message';

/** Where a reset goes back to. */
export const RESET_POINTS = ['first-task', 'last-failure'] as const;

/** One of {@link RESET_POINTS}: the first workflow task, or the task that scheduled the last failed activity. */
export type ResetPoint = (typeof RESET_POINTS)[number];

/** What became of one cascade asked to reset. */
export type ResetOutcome =
  | { readonly workflowId: string; readonly outcome: 'reset'; readonly runId: string; readonly previousRunId: string; readonly eventId: number }
  | { readonly workflowId: string; readonly outcome: 'would-reset'; readonly previousRunId: string; readonly eventId: number }
  | { readonly workflowId: string; readonly outcome: 'skipped'; readonly reason: string }
  | { readonly workflowId: string; readonly outcome: 'error'; readonly error: string };

/** Options of {@link resetCascades}. */
export interface ResetOptions extends BoundedRunOptions {
  readonly to: ResetPoint;
  /** Recorded with the reset in the history. */
  readonly reason: string;
  readonly dryRun?: boolean;
  readonly onDone?: (outcome: ResetOutcome) => void;
}

/** Thrown when a history has no event to reset to for the requested point. */
export class NoResetPointError extends Error {
  constructor(
    readonly workflowId: string,
    readonly point: ResetPoint,
    detail: string,
  ) {
    super(`${workflowId} cannot be reset to ${point}: ${detail}`);
    this.name = 'NoResetPointError';
  }
}

/**
 * The event a reset to `point` goes back to: the first WorkflowTaskCompleted
 * (`first-task`), or the WorkflowTaskCompleted that scheduled the last
 * failed or timed-out activity (`last-failure`), so that activity runs again
 * while the history before it is kept; for a failed local activity, the
 * workflow task that recorded its marker.
 */
export function findResetEventId(workflowId: string, events: readonly HistoryEvent[], point: ResetPoint): number {
  if (point === 'first-task') {
    const first = events.find((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    if (!first) throw new NoResetPointError(workflowId, point, 'no workflow task completed yet');
    return Number(first.eventId);
  }
  const failed = [...events].reverse().find((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes || isFailedLocalActivity(e));
  if (!failed) throw new NoResetPointError(workflowId, point, 'no failed or timed-out activity in the latest run (try --to first-task)');
  if (failed.markerRecordedEventAttributes) {
    // A local activity ran within the workflow task that recorded its marker: redoing that task runs it again.
    const markerTaskId = Number(failed.markerRecordedEventAttributes.workflowTaskCompletedEventId ?? 0);
    if (markerTaskId <= 0) throw new NoResetPointError(workflowId, point, `local activity marker ${String(failed.eventId)} has no workflow task`);
    return markerTaskId;
  }
  const scheduledId = Number((failed.activityTaskFailedEventAttributes ?? failed.activityTaskTimedOutEventAttributes)?.scheduledEventId ?? 0);
  const scheduled = events.find((e) => Number(e.eventId) === scheduledId)?.activityTaskScheduledEventAttributes;
  const completedId = Number(scheduled?.workflowTaskCompletedEventId ?? 0);
  if (completedId <= 0) throw new NoResetPointError(workflowId, point, `activity event ${scheduledId} has no scheduling workflow task`);
  return completedId;
}

function isFailedLocalActivity(event: HistoryEvent): boolean {
  return isLocalActivityMarker(event) && Boolean(event.markerRecordedEventAttributes.failure);
}

/**
 * Temporal's reset for each cascade: a new run that keeps the history up to
 * the reset point and continues from there (the failed run stays, marked as
 * reset). Running cascades are reset too — that is what a reset is for when
 * a cascade is stuck — except with `last-failure` when no activity failed.
 */
export function resetCascades(client: Client, workflowIds: readonly string[], options: ResetOptions): Promise<ResetOutcome[]> {
  return runBounded(workflowIds, options, (workflowId) => resetOne(client, workflowId, options));
}

async function resetOne(client: Client, workflowId: string, options: ResetOptions): Promise<ResetOutcome> {
  try {
    const latest = await client.workflow.getHandle(workflowId).describe();
    if (latest.status.name === 'COMPLETED') return { workflowId, outcome: 'skipped', reason: 'completed' };
    const eventId = findResetEventId(workflowId, await fetchRunHistory(client, workflowId, latest.runId), options.to);
    if (options.dryRun) return { workflowId, outcome: 'would-reset', previousRunId: latest.runId, eventId };
    const response = await client.workflowService.resetWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId, runId: latest.runId },
      reason: options.reason,
      workflowTaskFinishEventId: Long.fromNumber(eventId),
      requestId: randomUUID(),
    });
    return { workflowId, outcome: 'reset', runId: response.runId ?? '', previousRunId: latest.runId, eventId };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, outcome: 'skipped', reason: 'not-found' };
    if (error instanceof NoResetPointError) return { workflowId, outcome: 'skipped', reason: error.message };
    return { workflowId, outcome: 'error', error: toErrorMessage(error) };
  }
}
