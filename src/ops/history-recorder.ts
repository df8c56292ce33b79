import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { toHistoryJson } from './history-json';

/** Options of {@link recordHistories}. */
export interface RecordHistoriesOptions {
  /** Directory the histories go to, one sub-directory per workflow type. */
  readonly outDir: string;
  /** Only runs of this workflow type (e.g. `entityDeletedWorkflow`). */
  readonly workflowType?: string;
  /** Only runs of these workflow IDs (every run of each: a `continueAsNew` chain, a reset). */
  readonly workflowIds?: readonly string[];
  /** Only runs started at or after this time. */
  readonly since?: Date;
  /** Most runs recorded (newest first). */
  readonly limit: number;
  /** Called after each history written. */
  readonly onWritten?: (recorded: RecordedHistory) => void;
}

/** One history written by {@link recordHistories}. */
export interface RecordedHistory {
  readonly workflowType: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly status: string;
  readonly events: number;
  /** The JSON file, as `Worker.runReplayHistory` (after `historyFromJSON`) and `temporal workflow show --output json` read it. */
  readonly file: string;
}

/** A visibility-query string literal. */
function toLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility query selecting the runs to record. */
export function toRecordQuery(options: Pick<RecordHistoriesOptions, 'workflowType' | 'workflowIds' | 'since'>): string {
  const clauses: string[] = [];
  if (options.workflowType !== undefined) clauses.push(`WorkflowType = ${toLiteral(options.workflowType)}`);
  if (options.workflowIds !== undefined && options.workflowIds.length > 0) clauses.push(`WorkflowId IN (${options.workflowIds.map(toLiteral).join(',')})`);
  if (options.since !== undefined) clauses.push(`StartTime >= ${toLiteral(options.since.toISOString())}`);
  return clauses.join(' AND ');
}

/** A file name for one run: the workflow ID with anything but letters, digits, `.`, `_` and `-` replaced, then the run ID. */
export function toHistoryFileName(workflowId: string, runId: string): string {
  return `${workflowId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)}.${runId}.json`;
}

/**
 * Writes the full event history of each selected run (running ones as far as
 * they got) to `<outDir>/<workflowType>/<workflowId>.<runId>.json`, in the
 * JSON form of Temporal's History proto — the form the SDK's replayer and the
 * Temporal CLI read. Payloads are written as stored: with a payload codec
 * (encryption) they stay encrypted, and replaying them needs the same codec.
 */
export async function recordHistories(client: Client, options: RecordHistoriesOptions): Promise<RecordedHistory[]> {
  const recorded: RecordedHistory[] = [];
  const query = toRecordQuery(options);
  for await (const execution of client.workflow.list({ ...(query === '' ? {} : { query }), pageSize: Math.min(1000, options.limit) })) {
    if (recorded.length >= options.limit) break;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const dir = path.join(options.outDir, execution.type);
    await fs.promises.mkdir(dir, { recursive: true });
    const file = path.join(dir, toHistoryFileName(execution.workflowId, execution.runId));
    await fs.promises.writeFile(file, `${toHistoryJson(history)}\n`);
    const entry: RecordedHistory = {
      workflowType: execution.type,
      workflowId: execution.workflowId,
      runId: execution.runId,
      status: execution.status.name,
      events: history.events?.length ?? 0,
      file,
    };
    recorded.push(entry);
    options.onWritten?.(entry);
  }
  return recorded;
}
