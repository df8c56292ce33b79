import { workflowInfo } from '@temporalio/workflow';
import type { TaskActivities } from '../activities/task-activities';
import type { CascadeInput } from '../src/shared/cascade-input';
import type { IncentiveEventsResult, IncentiveEventsTask } from '../src/shared/tasks';
import { proxyShortSteps } from './activity-options';
import { runStep } from './cascade-failure';

/**
 * The handler of `event` tasks: records one `incentive_events` row per user
 * per event in one local activity (one statement, see {@link proxyShortSteps}).
 * Row IDs derive from this workflow's ID, so a retry or a re-run on another
 * worker inserts nothing twice.
 */
export async function incentiveEventsWorkflow(input: CascadeInput<IncentiveEventsTask>): Promise<IncentiveEventsResult> {
  const { recordIncentiveEvents } = proxyShortSteps<TaskActivities>(input.activity);
  const { workflowId } = workflowInfo();
  return runStep('recordIncentiveEvents', () => recordIncentiveEvents({ workflowId, events: input.event.data }));
}
