import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS } from '../bridge/workflow-starter';
import { type CascadeFilters, toVisibilityQuery } from './cascade-filters';
import { fetchCloseEvent, toCloseReason } from './cascade-history';

/** One failed, timed-out or terminated cascade whose latest run is still that failure. */
export interface FailedCascade {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly route: string;
  readonly eventKey: string;
  readonly entityId?: string;
  /** `FAILED`, `TIMED_OUT` or `TERMINATED`. */
  readonly status: string;
  readonly closeTime: string;
  /** The failure in one line, e.g. `archiveEmail failed: cannot write s3://…: NoSuchBucket`. */
  readonly reason: string;
  readonly uiUrl: string;
}

/** Options of {@link listFailedCascades}. */
export interface ListFailedOptions {
  readonly filters: CascadeFilters;
  /** Most cascades returned (newest closed first). */
  readonly limit: number;
  /** Web UI link of a workflow. */
  readonly toUiUrl: (workflowId: string) => string;
}

/**
 * The failed, timed-out and terminated cascades matching the filters,
 * newest first, each with its failure reason. A run that was re-run or reset
 * since (its workflow ID has a newer run) is not listed: it needs nothing more.
 */
export async function listFailedCascades(client: Client, options: ListFailedOptions): Promise<FailedCascade[]> {
  const query = toVisibilityQuery(options.filters);
  const found: FailedCascade[] = [];
  const seen = new Set<string>();
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(1000, Math.max(10, options.limit * 2)) })) {
    if (found.length >= options.limit) break;
    if (seen.has(execution.workflowId)) continue;
    seen.add(execution.workflowId);
    if (!(await isLatestRun(client, execution))) continue;
    const closeEvent = await fetchCloseEvent(client, execution.workflowId, execution.runId);
    const entityId = execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EntityId);
    found.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      workflowType: execution.type,
      route: execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.CascadeRoute) ?? '',
      eventKey: execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.EventKey) ?? '',
      ...(entityId === undefined ? {} : { entityId }),
      status: execution.status.name,
      closeTime: execution.closeTime?.toISOString() ?? '',
      reason: await toCloseReason(client, closeEvent),
      uiUrl: options.toUiUrl(execution.workflowId),
    });
  }
  return found.sort((a, b) => b.closeTime.localeCompare(a.closeTime));
}

async function isLatestRun(client: Client, execution: WorkflowExecutionInfo): Promise<boolean> {
  const latest = await client.workflow.getHandle(execution.workflowId).describe();
  return latest.runId === execution.runId;
}
