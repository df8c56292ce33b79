import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { type CascadeFilters, toVisibilityQuery } from './cascade-filters';
import { toDataConverter, toMessageChain } from './cascade-history';

/** Failures of a step (a regular activity) from which a running cascade counts as retrying. */
export const RETRYING_AFTER_FAILURES = 3;

/**
 * Why a running cascade is not getting anywhere:
 * - `workflow-task-failing`: its workflow task fails on every attempt (non-determinism after a code change, a payload
 *   the worker cannot decode, a bug in the workflow code); Temporal retries it forever, the cascade stays Running.
 * - `step-retrying`: its current step (activity) has failed {@link RETRYING_AFTER_FAILURES} times or more and is
 *   being retried (a dependency is down, a row is locked…).
 */
export type CascadeTroubleKind = 'workflow-task-failing' | 'step-retrying';

/** Which cascade a listing row is about: its run and the search attributes the bridge set. */
export interface CascadeIdentity {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly route: string;
  readonly eventKey: string;
  readonly entityId?: string;
}

/** One running cascade in trouble, with what an operator needs to act. */
export interface CascadeTrouble extends CascadeIdentity {
  readonly kind: CascadeTroubleKind;
  /** The activity type retrying, for `step-retrying`. */
  readonly step?: string;
  /** The current attempt of the workflow task or the activity. */
  readonly attempt: number;
  /** The last failure, in one line (for a workflow task, with Temporal's cause, e.g. `WORKFLOW_WORKER_UNHANDLED_FAILURE`). */
  readonly lastFailure: string;
  /** When the failing attempts began (first failed workflow task), or the last attempt started (activity). */
  readonly since?: string;
  readonly uiUrl: string;
}

/**
 * The trouble of one running cascade, from its description: a workflow task
 * on attempt 2 or more (its last failure read from the latest
 * WorkflowTaskFailed event: the server records only the first of a series of
 * failed attempts), and every pending activity that has failed
 * {@link RETRYING_AFTER_FAILURES} times or more. Local activities
 * (entity-deleted's pages) are not pending activities and show up here only
 * once their retries make the workflow task fail or time out (see docs/operations.md).
 */
export async function findCascadeTrouble(client: Client, description: WorkflowExecutionDescription, toUiUrl: (workflowId: string) => string): Promise<CascadeTrouble[]> {
  if (description.status.name !== 'RUNNING') return [];
  const entityId = description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityId);
  const base = {
    workflowId: description.workflowId,
    runId: description.runId,
    workflowType: description.type,
    route: description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.CascadeRoute) ?? '',
    eventKey: description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EventKey) ?? '',
    ...(entityId === undefined ? {} : { entityId }),
    uiUrl: toUiUrl(description.workflowId),
  };
  const troubles: CascadeTrouble[] = [];
  const task = description.raw.pendingWorkflowTask;
  const taskAttempt = task?.attempt ?? 0;
  if (taskAttempt > 1) {
    const failed = await fetchLastWorkflowTaskFailure(client, description.workflowId, description.runId);
    troubles.push({
      ...base,
      kind: 'workflow-task-failing',
      attempt: taskAttempt,
      lastFailure: failed?.message ?? 'workflow task timed out (no failure recorded: the worker took too long or went away)',
      ...(failed?.time === undefined ? {} : { since: failed.time }),
    });
  }
  for (const activity of description.raw.pendingActivities ?? []) {
    const attempt = activity.attempt ?? 1;
    if (attempt - 1 < RETRYING_AFTER_FAILURES) continue;
    const failure = await decodeOptionalFailureToOptionalError(toDataConverter(client), activity.lastFailure);
    const started = toIsoTime(activity.lastStartedTime);
    troubles.push({
      ...base,
      kind: 'step-retrying',
      step: activity.activityType?.name ?? '',
      attempt,
      lastFailure: failure ? toMessageChain(failure) : 'unknown (no failure recorded)',
      ...(started === undefined ? {} : { since: started }),
    });
  }
  return troubles;
}

/** Options of {@link listCascadeTroubles}. */
export interface ListTroublesOptions {
  readonly filters: Pick<CascadeFilters, 'route' | 'entity'>;
  /** Most running cascades described (each is one call to Temporal). */
  readonly scanLimit: number;
  readonly toUiUrl: (workflowId: string) => string;
}

/** What {@link listCascadeTroubles} found. */
export interface CascadeTroubleScan {
  readonly troubles: CascadeTrouble[];
  /** Running cascades described. */
  readonly scanned: number;
  /** True when every running cascade matching the filters was described (none left out by the scan limit). */
  readonly complete: boolean;
}

/**
 * Describes the running cascades matching the filters (up to `scanLimit`)
 * and returns those in trouble. Visibility cannot select them by query
 * (attempts are not search attributes), so this costs one call per cascade.
 */
export async function listCascadeTroubles(client: Client, options: ListTroublesOptions): Promise<CascadeTroubleScan> {
  const troubles: CascadeTrouble[] = [];
  let scanned = 0;
  let complete = true;
  for await (const execution of client.workflow.list({ query: toVisibilityQuery(options.filters, ['Running']), pageSize: Math.min(1000, options.scanLimit + 1) })) {
    if (scanned >= options.scanLimit) {
      complete = false;
      break;
    }
    scanned += 1;
    const description = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    troubles.push(...(await findCascadeTrouble(client, description, options.toUiUrl)));
  }
  return { troubles, scanned, complete };
}

/** The last WorkflowTaskFailed event of a run (read backwards), as `<cause>: <message>`. */
async function fetchLastWorkflowTaskFailure(client: Client, workflowId: string, runId: string): Promise<{ message: string; time: string | undefined } | undefined> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 100,
      nextPageToken,
    });
    for (const event of page.history?.events ?? []) {
      const attributes = event.workflowTaskFailedEventAttributes;
      if (!attributes) continue;
      const error = await decodeOptionalFailureToOptionalError(toDataConverter(client), attributes.failure);
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[attributes.cause ?? 0]?.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '') ?? 'UNSPECIFIED';
      return { message: `${cause}: ${error ? toMessageChain(error) : 'no failure message'}`, time: toIsoTime(event.eventTime) };
    }
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken !== undefined);
  return undefined;
}

function toIsoTime(timestamp: temporal.api.workflow.v1.IPendingActivityInfo['lastStartedTime'] | undefined): string | undefined {
  if (!timestamp?.seconds) return undefined;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6)).toISOString();
}
