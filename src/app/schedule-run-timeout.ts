import type { ActivityPolicyInput } from '../shared/cascade-input';

/** Shortest run timeout of a schedule-started workflow. */
export const MIN_SCHEDULE_RUN_TIMEOUT_SECONDS = 600;

/** Run timeout of a schedule-started workflow, in intervals of its schedule. */
export const SCHEDULE_RUN_TIMEOUT_INTERVALS = 10;

/**
 * How long one run of a schedule-started workflow may take: ten intervals,
 * at least ten minutes. Under the SKIP overlap policy a run that never ends
 * would skip every later one; with this timeout Temporal ends it and the
 * next interval starts afresh.
 */
export function toScheduleRunTimeoutSeconds(everySeconds: number): number {
  return Math.max(MIN_SCHEDULE_RUN_TIMEOUT_SECONDS, SCHEDULE_RUN_TIMEOUT_INTERVALS * everySeconds);
}

/** The activity policy of a schedule-started run: its activities give up when the run would time out. */
export function toScheduledActivityPolicy(policy: ActivityPolicyInput, runTimeoutSeconds: number): ActivityPolicyInput {
  const runTimeoutMs = runTimeoutSeconds * 1000;
  return { ...policy, scheduleToCloseTimeoutMs: Math.min(policy.scheduleToCloseTimeoutMs ?? runTimeoutMs, runTimeoutMs) };
}
