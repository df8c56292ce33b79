import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CascadeConfig } from '../config';
import { toOutboxFlushSchedules } from '../producer/outbox-schedule';
import type { WorkflowType } from '../temporal/workflow-type';
import { toTxmaPurgeSchedules } from '../txma/purge-schedule';

/** One Temporal Schedule the service keeps in place (e.g. a purge every few minutes). */
export interface ScheduleSpec {
  /** Stable ID, e.g. `cascade/txma-purge`. */
  readonly scheduleId: string;
  readonly workflowType: WorkflowType;
  readonly args: unknown[];
  readonly everySeconds: number;
  /** Run and execution timeout of each started workflow, so a wedged run cannot skip every later one (see `toScheduleRunTimeoutSeconds`). */
  readonly runTimeoutSeconds: number;
}

/**
 * The schedules of every route, from the configuration. A route that needs
 * periodic work adds its spec here.
 */
export function createScheduleSpecs(config: CascadeConfig): ScheduleSpec[] {
  return [...toOutboxFlushSchedules(config), ...toTxmaPurgeSchedules(config)];
}

/**
 * Creates each schedule, or updates it when it exists (idempotent: every
 * worker start may call it). Overlapping runs are skipped; each run times
 * out after `runTimeoutSeconds` (run and execution timeout).
 */
export async function ensureSchedules(client: Client, taskQueue: string, specs: readonly ScheduleSpec[], logger: Logger): Promise<void> {
  for (const spec of specs) {
    const action = {
      type: 'startWorkflow' as const,
      workflowType: spec.workflowType,
      args: spec.args,
      taskQueue,
      workflowId: `${spec.scheduleId}/run`,
      workflowRunTimeout: spec.runTimeoutSeconds * 1000,
      workflowExecutionTimeout: spec.runTimeoutSeconds * 1000,
    };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP };
    const interval = { every: spec.everySeconds * 1000 };
    try {
      await client.schedule.create({ scheduleId: spec.scheduleId, spec: { intervals: [interval] }, action, policies });
      logger.info({ scheduleId: spec.scheduleId, everySeconds: spec.everySeconds, runTimeoutSeconds: spec.runTimeoutSeconds }, 'schedule created');
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(spec.scheduleId).update((previous) => ({ ...previous, spec: { intervals: [interval] }, action, policies }));
      logger.debug({ scheduleId: spec.scheduleId }, 'schedule updated');
    }
  }
}
