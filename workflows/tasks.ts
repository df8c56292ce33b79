import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { TaskActivities } from '../activities/task-activities';
import type { CascadeInput } from '../src/shared/cascade-input';
import type { IncentiveEventsResult, IncentiveEventsTask } from '../src/shared/tasks';
import { toActivityOptions } from './activity-options';
import { runStep } from './cascade-failure';

/**
 * The handler of `event` tasks: records one `incentive_events` row per user
 * per event in one activity (one statement). Row IDs derive from this
 * workflow's ID, so a retry inserts nothing twice.
 */
export async function incentiveEventsWorkflow(input: CascadeInput<IncentiveEventsTask>): Promise<IncentiveEventsResult> {
  const { recordIncentiveEvents } = proxyActivities<TaskActivities>(toActivityOptions(input.activity));
  const { workflowId } = workflowInfo();
  return runStep('recordIncentiveEvents', () => recordIncentiveEvents({ workflowId, events: input.event.data }));
}
