import { toScheduleRunTimeoutSeconds, toScheduledActivityPolicy } from '../app/schedule-run-timeout';
import type { ScheduleSpec } from '../app/schedules';
import type { CascadeConfig } from '../config';
import type { OutboxFlushInput } from '../shared/tasks';

/** ID of the schedule that re-sends the task producer's outbox. */
export const OUTBOX_FLUSH_SCHEDULE_ID = 'cascade/outbox-flush';

/**
 * The `cascade/outbox-flush` schedule (every `CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS`,
 * running `outboxFlushWorkflow`, each run timing out after `toScheduleRunTimeoutSeconds`) when this process serves the tasks route; none otherwise.
 */
export function toOutboxFlushSchedules(config: CascadeConfig): ScheduleSpec[] {
  if (!config.routes.some((r) => r.route === 'tasks')) return [];
  const everySeconds = config.tasks.outboxFlushIntervalSeconds;
  const runTimeoutSeconds = toScheduleRunTimeoutSeconds(everySeconds);
  const input: OutboxFlushInput = { activity: toScheduledActivityPolicy(config.activity, runTimeoutSeconds) };
  return [{ scheduleId: OUTBOX_FLUSH_SCHEDULE_ID, workflowType: 'outboxFlushWorkflow', args: [input], everySeconds, runTimeoutSeconds }];
}
