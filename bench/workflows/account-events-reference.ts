import { proxyActivities } from '@temporalio/workflow';
import type { AccountActivities } from '../../activities/account-activities';
import type { AccountEvent, AccountEventResult } from '../../src/shared/account-event';
import type { CascadeInput } from '../../src/shared/cascade-input';
import { toActivityOptions } from '../../workflows/activity-options';
import { runStep } from '../../workflows/cascade-failure';

/**
 * The bench's reference for the short cascades: `accountEventsWorkflow` with
 * its one statement as a regular activity, as every account-events cascade
 * ran before `short-steps-as-local-activities` (workflow task, activity task,
 * workflow task). Same activities, policy and result; only the bench's
 * workers register it.
 */
export async function accountEventsReferenceWorkflow(input: CascadeInput<AccountEvent>): Promise<AccountEventResult> {
  const activities = proxyActivities<AccountActivities>(toActivityOptions(input.activity));
  const event = input.event;
  if (event.type === 'delete') {
    const { rowsAffected } = await runStep('retireUser', () => activities.retireUser({ email: event.email }));
    return { type: event.type, outcome: rowsAffected > 0 ? 'retired' : 'no-change', rowsAffected };
  }
  const { rowsAffected } = await runStep('raiseGeneration', () => activities.raiseGeneration({ email: event.email, generation: event.generation }));
  return { type: event.type, outcome: rowsAffected > 0 ? 'generation-raised' : 'no-change', rowsAffected };
}
