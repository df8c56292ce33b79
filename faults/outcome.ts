import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { peekMessages } from '../src/ops/queue-peek';
import type { FaultStage } from './fault-stage';
import type { EffectCount } from './workloads';

/** One row of the fault table. */
export interface FaultRow {
  readonly fault: string;
  /** What was done, in a few words. */
  readonly description: string;
  readonly eventsSent: number;
  readonly effectsExpected: number;
  readonly effectsObserved: number;
  /** Expected effects missing at the end. */
  readonly lost: number;
  /** Effects applied more than once, and extra workflow runs of one event. */
  readonly duplicatedEffects: number;
  /** This row's messages in the dead-letter queue. */
  readonly dlqMessages: number;
  /** This row's messages in the quarantine queue (expected for poison only). */
  readonly quarantined: number;
  /** Things a human must do: messages in the DLQ, failed runs to rerun, runs stuck at the end. */
  readonly operatorActions: number;
  /** From the fault's end to the last effect, seconds; null when the effects never completed. */
  readonly recoverSeconds: number | null;
  readonly recovered: boolean;
  readonly notes: readonly string[];
}

/** What a row is made of: the events, how to count their effects, and which messages are theirs. */
export interface RowSource {
  readonly fault: string;
  readonly description: string;
  /** Workflow-ID prefixes of the row's runs, e.g. `account-events/`. */
  readonly workflowPrefixes: readonly string[];
  readonly eventsSent: number;
  readonly expectedEffects: number;
  /** Bodies the row sent: messages with one of them in the DLQ or quarantine are the row's. */
  readonly bodies: ReadonlySet<string>;
  count(): Promise<EffectCount>;
  /** Quarantine is this row's expected effect (poison): it is counted, not reported as a problem. */
  readonly quarantineExpected?: boolean;
  readonly notes?: string[];
}

const FAILED_STATUSES = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);
const SETTLE_MS = 15_000;

/**
 * Watches the real state until every row's effects are complete and nothing
 * runs any more (or, with effects missing, the queues are empty and nothing
 * changed for a while, or the fault's deadline passed), then reads the final
 * counts, the dead-letter queue and Temporal's runs, and builds the rows.
 */
export async function observeRows(stage: FaultStage, sources: readonly RowSource[], faultEndedAt: number): Promise<FaultRow[]> {
  const deadline = faultEndedAt + stage.settings.recoverTimeoutMs;
  const best = sources.map(() => 0);
  const lastChangeAt = sources.map(() => faultEndedAt);
  let complete = false;
  let settled = false;
  for (;;) {
    const counts = await Promise.all(sources.map((s) => s.count().catch(() => undefined)));
    counts.forEach((c, i) => {
      if (c !== undefined && c.observed > (best[i] ?? 0)) {
        best[i] = c.observed;
        lastChangeAt[i] = Date.now();
      }
    });
    complete = sources.every((s, i) => (best[i] ?? 0) >= s.expectedEffects);
    const depth = await stage.sourceDepth().catch(() => -1);
    const running = depth === 0 ? await countRunning(stage).catch(() => -1) : -1;
    if (depth === 0 && running === 0 && (complete || Date.now() - Math.max(faultEndedAt, ...lastChangeAt) > SETTLE_MS)) {
      settled = !complete;
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(1000);
  }
  const finalCounts = await Promise.all(sources.map((s) => s.count().catch(() => ({ observed: 0, duplicated: 0 }))));
  const runs = await listRuns(stage).catch(() => new Map<string, string[]>());
  const dlq = await peekBodies(stage, stage.queues.deadLetterQueueUrl);
  const quarantine = await peekBodies(stage, stage.queues.quarantineQueueUrl);
  const leftOnQueues = await stage.sourceDepth().catch(() => -1);
  return sources.map((s, i) => {
    const observed = Math.max(best[i] ?? 0, finalCounts[i]?.observed ?? 0);
    const rowComplete = observed >= s.expectedEffects;
    let extraRuns = 0;
    let failedRuns = 0;
    let stuckRuns = 0;
    for (const [workflowId, statuses] of runs) {
      if (!s.workflowPrefixes.some((prefix) => workflowId.startsWith(prefix))) continue;
      const ownRuns = statuses.filter((status) => status !== 'CONTINUED_AS_NEW');
      extraRuns += Math.max(0, ownRuns.length - 1);
      failedRuns += ownRuns.filter((status) => FAILED_STATUSES.has(status)).length;
      stuckRuns += ownRuns.filter((status) => status === 'RUNNING').length;
    }
    const dlqMessages = dlq.filter((body) => s.bodies.has(body)).length;
    const quarantined = quarantine.filter((body) => s.bodies.has(body)).length;
    const notes = [...(s.notes ?? [])];
    if (!rowComplete && !settled) notes.push(`did not recover in ${Math.round(stage.settings.recoverTimeoutMs / 1000)} s`);
    if (!rowComplete && settled) notes.push(`queues empty and nothing running: ${s.expectedEffects - observed} effect(s) will not come`);
    if (failedRuns > 0) notes.push(`${failedRuns} run(s) failed/terminated (rerun needed)`);
    if (stuckRuns > 0) notes.push(`${stuckRuns} run(s) still running at the end`);
    if (extraRuns > 0) notes.push(`${extraRuns} extra workflow run(s) for one event`);
    if (dlqMessages > 0) notes.push(`${dlqMessages} message(s) in the DLQ`);
    if (quarantined > 0 && !s.quarantineExpected) notes.push(`${quarantined} valid message(s) quarantined`);
    if (leftOnQueues > 0) notes.push(`${leftOnQueues} message(s) of the fault still on the route queues at the end (not processed yet; their effects are counted as lost)`);
    return {
      fault: s.fault,
      description: s.description,
      eventsSent: s.eventsSent,
      effectsExpected: s.expectedEffects,
      effectsObserved: observed,
      lost: Math.max(0, s.expectedEffects - observed),
      duplicatedEffects: (finalCounts[i]?.duplicated ?? 0) + extraRuns,
      dlqMessages,
      quarantined,
      operatorActions: dlqMessages + failedRuns + stuckRuns + (s.quarantineExpected ? 0 : quarantined),
      recoverSeconds: rowComplete ? Math.max(0, Math.round(((lastChangeAt[i] ?? faultEndedAt) - faultEndedAt) / 100) / 10) : null,
      recovered: rowComplete,
      notes,
    };
  });
}

/** Runs of the fault's task queue by workflow ID, with each run's status. */
async function listRuns(stage: FaultStage): Promise<Map<string, string[]>> {
  const runs = new Map<string, string[]>();
  for await (const execution of stage.env.temporal.workflow.list({ query: `TaskQueue = "${stage.taskQueue}"` })) {
    runs.set(execution.workflowId, [...(runs.get(execution.workflowId) ?? []), execution.status.name]);
  }
  return runs;
}

async function countRunning(stage: FaultStage): Promise<number> {
  const { count } = await stage.env.temporal.workflow.count(`TaskQueue = "${stage.taskQueue}" AND ExecutionStatus = "Running"`);
  return count;
}

/** Bodies of every message now in a queue, read without consuming them. */
async function peekBodies(stage: FaultStage, queueUrl: string): Promise<string[]> {
  try {
    const { messages } = await peekMessages(stage.env.sqs, queueUrl, { visibilityTimeoutSeconds: 30, waitTimeSeconds: 0 });
    return messages.map((m: Message) => m.Body ?? '');
  } catch {
    return [];
  }
}
