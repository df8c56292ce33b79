import { toScheduleRunTimeoutSeconds, toScheduledActivityPolicy } from '../app/schedule-run-timeout';
import type { ScheduleSpec } from '../app/schedules';
import type { CascadeConfig } from '../config';
import type { TxmaPurgeInput } from '../shared/txma';

/** ID of the schedule that deletes expired TxMA events. */
export const TXMA_PURGE_SCHEDULE_ID = 'cascade/txma-purge';

/**
 * The `cascade/txma-purge` schedule (every `CASCADE_TXMA_PURGE_INTERVAL_SECONDS`,
 * running `txmaPurgeWorkflow`, each run timing out after `toScheduleRunTimeoutSeconds`) when this process serves the audit-events route; none otherwise.
 */
export function toTxmaPurgeSchedules(config: CascadeConfig): ScheduleSpec[] {
  if (!config.routes.some((r) => r.route === 'audit-events')) return [];
  const everySeconds = config.txma.purgeIntervalSeconds;
  const runTimeoutSeconds = toScheduleRunTimeoutSeconds(everySeconds);
  const input: TxmaPurgeInput = { activity: toScheduledActivityPolicy(config.activity, runTimeoutSeconds) };
  return [{ scheduleId: TXMA_PURGE_SCHEDULE_ID, workflowType: 'txmaPurgeWorkflow', args: [input], everySeconds, runTimeoutSeconds }];
}
