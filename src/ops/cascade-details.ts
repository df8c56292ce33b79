import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { type CascadeTrouble, findCascadeTrouble } from './cascade-trouble';
import { type HistoryEvent, decodeRunInput, isLocalActivityMarker, fetchRunHistory, toCloseReason, toDataConverter, toMessageChain } from './cascade-history';
import { isRecord } from '../shared/parse-helpers';

/** One activity of a cascade's latest run, as far as it got. */
export interface ActivitySummary {
  readonly activityId: string;
  readonly activityType: string;
  /** `completed`, `failed`, `timed-out`, `canceled`, `running` or `scheduled`. */
  readonly state: string;
  /** Attempts so far (retries included). */
  readonly attempts: number;
  readonly lastFailure?: string;
  /** A local activity (run inside the worker, recorded as a marker): `archiveDocumentsPage`, `summarizeArchive`. */
  readonly local?: true;
}

/** What `cascade show` tells about one cascade. */
export interface CascadeDetails {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: string;
  readonly route?: string;
  readonly eventKey?: string;
  readonly entityId?: string;
  readonly taskQueue: string;
  readonly startTime: string;
  readonly closeTime?: string;
  readonly historyLength: number;
  /** The decoded input of this run (payload codec applied when configured). */
  readonly input: unknown;
  readonly memo: Record<string, unknown>;
  readonly activities: ActivitySummary[];
  /** Why a running cascade is not getting anywhere: its workflow task failing on every attempt, or a step failing again and again. */
  readonly troubles: CascadeTrouble[];
  readonly result?: unknown;
  readonly failure?: string;
  readonly uiUrl: string;
}

/** Thrown when no cascade has the workflow ID. */
export class CascadeNotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`no cascade with workflow ID ${workflowId} in this namespace`);
    this.name = 'CascadeNotFoundError';
  }
}

/**
 * Everything an operator needs about the latest run of a cascade: status,
 * decoded input, every activity with its attempts and last failure (pending
 * ones from Temporal's description, finished ones from the history), and its
 * result or failure.
 */
export async function describeCascade(client: Client, workflowId: string, toUiUrl: (workflowId: string) => string): Promise<CascadeDetails> {
  let description;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CascadeNotFoundError(workflowId);
    throw error;
  }
  const events = await fetchRunHistory(client, workflowId, description.runId);
  const [input] = await decodeRunInput(client, events);
  const closeEvent = events.at(-1);
  const completed = closeEvent?.workflowExecutionCompletedEventAttributes;
  const status = description.status.name;
  const route = description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.CascadeRoute);
  const eventKey = description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EventKey);
  const entityId = description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityId);
  const pending = await Promise.all(
    (description.raw.pendingActivities ?? []).map(async (activity): Promise<ActivitySummary> => {
      const failure = await decodeOptionalFailureToOptionalError(toDataConverter(client), activity.lastFailure);
      return {
        activityId: activity.activityId ?? '',
        activityType: activity.activityType?.name ?? '',
        state: toPendingState(activity.state),
        attempts: activity.attempt ?? 1,
        ...(failure ? { lastFailure: toMessageChain(failure) } : {}),
      };
    }),
  );
  return {
    workflowId,
    runId: description.runId,
    workflowType: description.type,
    status,
    ...(route === undefined ? {} : { route }),
    ...(eventKey === undefined ? {} : { eventKey }),
    ...(entityId === undefined ? {} : { entityId }),
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    ...(description.closeTime ? { closeTime: description.closeTime.toISOString() } : {}),
    historyLength: description.historyLength,
    input,
    memo: description.memo ?? {},
    activities: [...(await toFinishedActivities(client, events)), ...pending],
    troubles: await findCascadeTrouble(client, description, toUiUrl),
    ...(completed ? { result: await decodeFromPayloadsAtIndex(toDataConverter(client), 0, completed.result?.payloads) } : {}),
    ...(status !== 'RUNNING' && status !== 'COMPLETED' && status !== 'CONTINUED_AS_NEW' ? { failure: await toCloseReason(client, closeEvent) } : {}),
    uiUrl: toUiUrl(workflowId),
  };
}

/** Activities that finished in the history (completed, failed, timed out, canceled), with their final attempt. */
async function toFinishedActivities(client: Client, events: readonly HistoryEvent[]): Promise<ActivitySummary[]> {
  const scheduled = new Map<number, { activityId: string; activityType: string }>();
  const attempts = new Map<number, number>();
  const finished: ActivitySummary[] = [];
  for (const event of events) {
    const id = Number(event.eventId ?? 0);
    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(id, { activityId: event.activityTaskScheduledEventAttributes.activityId ?? '', activityType: event.activityTaskScheduledEventAttributes.activityType?.name ?? '' });
    } else if (isLocalActivityMarker(event)) {
      const marker = event.markerRecordedEventAttributes;
      const data = readLocalActivityMarker(marker.details?.['data']?.payloads?.[0]);
      const failure = marker.failure ? await decodeOptionalFailureToOptionalError(toDataConverter(client), marker.failure) : undefined;
      finished.push({
        activityId: data.activityId,
        activityType: data.activityType,
        state: failure ? 'failed' : 'completed',
        attempts: data.attempts,
        ...(failure ? { lastFailure: toMessageChain(failure) } : {}),
        local: true,
      });
    } else if (event.activityTaskStartedEventAttributes) {
      attempts.set(Number(event.activityTaskStartedEventAttributes.scheduledEventId ?? 0), event.activityTaskStartedEventAttributes.attempt ?? 1);
    } else {
      const outcome = toActivityOutcome(event);
      if (outcome === undefined) continue;
      const activity = scheduled.get(outcome.scheduledEventId);
      if (activity === undefined) continue;
      const failure = outcome.failure ? await decodeOptionalFailureToOptionalError(toDataConverter(client), outcome.failure) : undefined;
      finished.push({
        ...activity,
        state: outcome.state,
        attempts: attempts.get(outcome.scheduledEventId) ?? 1,
        ...(failure ? { lastFailure: toMessageChain(failure) } : {}),
      });
      scheduled.delete(outcome.scheduledEventId);
    }
  }
  return finished;
}

/** ID, type and attempt of a local activity from its marker's `data` detail (JSON written by the SDK, never through the payload codec). */
function readLocalActivityMarker(payload: temporal.api.common.v1.IPayload | undefined): { activityId: string; activityType: string; attempts: number } {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : {};
    if (isRecord(parsed)) data = parsed;
  } catch {
    // not JSON: report the marker without its details
  }
  const text = (...keys: string[]) => keys.map((key) => data[key]).find((value): value is string => typeof value === 'string') ?? '';
  const attempt = [data['attempt']].find((value): value is number => typeof value === 'number');
  return { activityId: text('activity_id', 'activityId'), activityType: text('activity_type', 'activityType') || '(local activity)', attempts: attempt ?? 1 };
}

interface ActivityOutcome {
  readonly scheduledEventId: number;
  readonly state: string;
  readonly failure?: temporal.api.failure.v1.IFailure | null;
}

function toActivityOutcome(event: HistoryEvent): ActivityOutcome | undefined {
  if (event.activityTaskCompletedEventAttributes) return { scheduledEventId: Number(event.activityTaskCompletedEventAttributes.scheduledEventId ?? 0), state: 'completed' };
  if (event.activityTaskFailedEventAttributes) {
    return { scheduledEventId: Number(event.activityTaskFailedEventAttributes.scheduledEventId ?? 0), state: 'failed', failure: event.activityTaskFailedEventAttributes.failure };
  }
  if (event.activityTaskTimedOutEventAttributes) {
    return { scheduledEventId: Number(event.activityTaskTimedOutEventAttributes.scheduledEventId ?? 0), state: 'timed-out', failure: event.activityTaskTimedOutEventAttributes.failure };
  }
  if (event.activityTaskCanceledEventAttributes) return { scheduledEventId: Number(event.activityTaskCanceledEventAttributes.scheduledEventId ?? 0), state: 'canceled' };
  return undefined;
}

/** `running`, `scheduled`, `cancel-requested`, `paused`… from Temporal's PendingActivityState. */
function toPendingState(state: temporal.api.enums.v1.PendingActivityState | null | undefined): string {
  const name = temporal.api.enums.v1.PendingActivityState[state ?? 0] ?? 'PENDING_ACTIVITY_STATE_UNSPECIFIED';
  const short = name.replace(/^PENDING_ACTIVITY_STATE_/, '').toLowerCase().replace(/_/g, '-');
  return short === 'started' ? 'running' : short;
}
