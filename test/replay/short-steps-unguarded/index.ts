/*
 * Test-only workflow code: the account-events workflow as it would be had its
 * step become a local activity WITHOUT `patched()`. A run recorded with the
 * regular activity (ActivityTaskScheduled) replayed against it issues a
 * local-activity marker instead, so it must fail with a DeterminismViolationError.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { AccountActivities } from '../../../activities/account-activities';
import type { AccountEvent, AccountEventResult } from '../../../src/shared/account-event';
import type { CascadeInput } from '../../../src/shared/cascade-input';
import { toActivityOptions } from '../../../workflows/activity-options';

export async function accountEventsWorkflow(input: CascadeInput<AccountEvent>): Promise<AccountEventResult> {
  const activities = proxyLocalActivities<AccountActivities>(toActivityOptions(input.activity));
  const event = input.event;
  const { rowsAffected } = event.type === 'delete' ? await activities.retireUser({ email: event.email }) : await activities.raiseGeneration({ email: event.email, generation: event.generation });
  return { type: event.type, outcome: rowsAffected === 0 ? 'no-change' : event.type === 'delete' ? 'retired' : 'generation-raised', rowsAffected };
}
