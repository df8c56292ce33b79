import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { type CascadeFilters, toVisibilityQuery } from './cascade-filters';
import { fetchCloseEvent, toCloseReason } from './cascade-history';
import { type CascadeIdentity, listCascadeTroubles } from './cascade-trouble';

/**
 * One failed, timed-out or terminated cascade whose latest run is still that
 * failure; or (`stuck`) a running cascade whose workflow task fails on every
 * attempt, which no retry will ever finish.
 */
export interface FailedCascade extends CascadeIdentity {
  /** `FAILED`, `TIMED_OUT` or `TERMINATED`; `RUNNING` for a stuck cascade. */
  readonly status: string;
  /** When it closed ('' for a stuck cascade, which is still running). */
  readonly closeTime: string;
  /** For a running cascade stuck on its workflow task: the task's attempt and when its failures began. */
  readonly stuck?: { readonly attempt: number; readonly since?: string };
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
  /**
   * Also list running cascades stuck on a failing workflow task, describing
   * up to this many running cascades to find them (0: none).
   * @default 0
   */
  readonly stuckScanLimit?: number;
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
  found.sort((a, b) => b.closeTime.localeCompare(a.closeTime));
  if (!options.stuckScanLimit) return found;
  const { entity, route } = options.filters;
  const scan = await listCascadeTroubles(client, { filters: { ...(route === undefined ? {} : { route }), ...(entity === undefined ? {} : { entity }) }, scanLimit: options.stuckScanLimit, toUiUrl: options.toUiUrl });
  const stuck = scan.troubles
    .filter((t) => t.kind === 'workflow-task-failing')
    .map(
      (t): FailedCascade => ({
        workflowId: t.workflowId,
        runId: t.runId,
        workflowType: t.workflowType,
        route: t.route,
        eventKey: t.eventKey,
        ...(t.entityId === undefined ? {} : { entityId: t.entityId }),
        status: 'RUNNING',
        closeTime: '',
        reason: `stuck: workflow task failing (attempt ${t.attempt}): ${t.lastFailure}`,
        stuck: { attempt: t.attempt, ...(t.since === undefined ? {} : { since: t.since }) },
        uiUrl: t.uiUrl,
      }),
    );
  return [...stuck, ...found];
}

async function isLatestRun(client: Client, execution: WorkflowExecutionInfo): Promise<boolean> {
  const latest = await client.workflow.getHandle(execution.workflowId).describe();
  return latest.runId === execution.runId;
}
