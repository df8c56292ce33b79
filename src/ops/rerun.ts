import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type BoundedRunOptions, runBounded } from './bounded-runs';
import { fetchOriginalInput } from './cascade-history';
import { toErrorMessage } from '../errors/error-message';

/** What became of one cascade asked to re-run. */
export type RerunOutcome =
  | { readonly workflowId: string; readonly outcome: 'rerun'; readonly runId: string; readonly previousRunId: string }
  | { readonly workflowId: string; readonly outcome: 'would-rerun'; readonly previousRunId: string; readonly status: string }
  | { readonly workflowId: string; readonly outcome: 'skipped'; readonly reason: 'completed' | 'running' | 'not-found'; readonly status?: string }
  | { readonly workflowId: string; readonly outcome: 'error'; readonly error: string };

/** Options of {@link rerunCascades}. */
export interface RerunOptions extends BoundedRunOptions {
  /** Report what would be re-run, start nothing. */
  readonly dryRun?: boolean;
  /** Called after each cascade (progress). */
  readonly onDone?: (outcome: RerunOutcome) => void;
}

/** Counts of {@link rerunCascades}' outcomes. */
export interface RerunSummary {
  readonly rerun: number;
  readonly wouldRerun: number;
  readonly skippedCompleted: number;
  readonly skippedRunning: number;
  readonly notFound: number;
  readonly errors: number;
}

/**
 * Starts each cascade again with its original input (the first run of its
 * chain), under the same workflow ID, type, task queue and search
 * attributes, with `ALLOW_DUPLICATE_FAILED_ONLY`: Temporal itself refuses to
 * start one whose latest run completed, so a completed cascade is never run
 * twice this way. Running cascades are skipped too. The memo keeps the
 * original delivery and adds `rerunOf` (the failed run).
 */
export function rerunCascades(client: Client, workflowIds: readonly string[], options: RerunOptions = {}): Promise<RerunOutcome[]> {
  return runBounded(workflowIds, options, (workflowId) => rerunOne(client, workflowId, options.dryRun ?? false));
}

async function rerunOne(client: Client, workflowId: string, dryRun: boolean): Promise<RerunOutcome> {
  try {
    const latest = await client.workflow.getHandle(workflowId).describe();
    const status = latest.status.name;
    if (status === 'RUNNING') return { workflowId, outcome: 'skipped', reason: 'running', status };
    if (status === 'COMPLETED') return { workflowId, outcome: 'skipped', reason: 'completed', status };
    if (dryRun) return { workflowId, outcome: 'would-rerun', previousRunId: latest.runId, status };
    const { args } = await fetchOriginalInput(client, workflowId, latest.runId);
    const handle = await client.workflow.start(latest.type, {
      workflowId,
      taskQueue: latest.taskQueue,
      args,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: latest.typedSearchAttributes,
      memo: { ...(latest.memo ?? {}), rerunOf: latest.runId },
    });
    return { workflowId, outcome: 'rerun', runId: handle.firstExecutionRunId, previousRunId: latest.runId };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, outcome: 'skipped', reason: 'not-found' };
    // Between describe and start another run began or completed: Temporal refused, as it should.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, outcome: 'skipped', reason: 'completed', status: 'started or completed meanwhile' };
    return { workflowId, outcome: 'error', error: toErrorMessage(error) };
  }
}

/** Counts per outcome, for the summary line. */
export function toRerunSummary(outcomes: readonly RerunOutcome[]): RerunSummary {
  const count = (predicate: (o: RerunOutcome) => boolean) => outcomes.filter(predicate).length;
  return {
    rerun: count((o) => o.outcome === 'rerun'),
    wouldRerun: count((o) => o.outcome === 'would-rerun'),
    skippedCompleted: count((o) => o.outcome === 'skipped' && o.reason === 'completed'),
    skippedRunning: count((o) => o.outcome === 'skipped' && o.reason === 'running'),
    notFound: count((o) => o.outcome === 'skipped' && o.reason === 'not-found'),
    errors: count((o) => o.outcome === 'error'),
  };
}
