import type { Client } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';

/** Marker name under which the Temporal SDK (core) records a local activity's outcome. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** One history event, as the Temporal API returns it. */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Whether an event is the marker of a local activity's outcome (local activities have no activity events of their own). */
export function isLocalActivityMarker(event: HistoryEvent): event is HistoryEvent & { markerRecordedEventAttributes: temporal.api.history.v1.IMarkerRecordedEventAttributes } {
  return event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER;
}

/** The data converter a client decodes with (payload codec included, when one is configured). */
export function toDataConverter(client: Client): LoadedDataConverter {
  return client.workflow.options.loadedDataConverter;
}

/** Every event of one run, in order. */
export async function fetchRunHistory(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}

/** Only the first event of a run (WorkflowExecutionStarted: input, memo, first run of the chain). */
export async function fetchStartedEvent(client: Client, workflowId: string, runId: string): Promise<HistoryEvent> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const first = response.history?.events?.[0];
  if (!first?.workflowExecutionStartedEventAttributes) throw new Error(`run ${runId} of ${workflowId} has no WorkflowExecutionStarted event`);
  return first;
}

/** Only the close event of a closed run (one small call, whatever the history length). */
export async function fetchCloseEvent(client: Client, workflowId: string, runId: string): Promise<HistoryEvent | undefined> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  return response.history?.events?.at(-1) ?? undefined;
}

/**
 * Why a run closed without completing, in one line: the failure message
 * (with its cause chain), the termination reason, or the timeout.
 */
export async function toCloseReason(client: Client, event: HistoryEvent | undefined): Promise<string> {
  if (event === undefined) return 'unknown (no close event)';
  if (event.workflowExecutionFailedEventAttributes) {
    const error = await decodeOptionalFailureToOptionalError(toDataConverter(client), event.workflowExecutionFailedEventAttributes.failure);
    return error ? toMessageChain(error) : 'failed (no failure recorded)';
  }
  if (event.workflowExecutionTerminatedEventAttributes) {
    const reason = event.workflowExecutionTerminatedEventAttributes.reason;
    return `terminated${reason ? `: ${reason}` : ''}`;
  }
  if (event.workflowExecutionTimedOutEventAttributes) return 'timed out (workflow run or execution timeout)';
  if (event.workflowExecutionCanceledEventAttributes) return 'canceled';
  if (event.workflowExecutionCompletedEventAttributes) return 'completed';
  if (event.workflowExecutionContinuedAsNewEventAttributes) return 'continued as new';
  return `closed (${String(event.eventType)})`;
}

/** `message` of an error and its causes, deduplicated (Temporal failures often repeat the cause in the message). */
export function toMessageChain(error: Error): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current.message && !parts.some((part) => part.includes(current instanceof Error ? current.message : ''))) parts.push(current.message);
  }
  return parts.join(' ← ');
}

/** The input of a run: the decoded arguments of its first event. */
export async function decodeRunInput(client: Client, events: readonly HistoryEvent[]): Promise<unknown[]> {
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error('history does not begin with WorkflowExecutionStarted');
  return decodeArrayFromPayloads(toDataConverter(client), started.input?.payloads);
}

/**
 * The arguments a cascade was started with, from the first run of its
 * `continueAsNew` chain (later runs carry progress, not the original event).
 */
export async function fetchOriginalInput(client: Client, workflowId: string, runId: string): Promise<{ args: unknown[]; firstRunId: string }> {
  const started = await fetchStartedEvent(client, workflowId, runId);
  const firstRunId = started.workflowExecutionStartedEventAttributes?.firstExecutionRunId || runId;
  const first = firstRunId === runId ? started : await fetchStartedEvent(client, workflowId, firstRunId);
  return { args: await decodeRunInput(client, [first]), firstRunId };
}
