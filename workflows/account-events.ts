import type { AccountActivities } from '../activities/account-activities';
import type { AccountEvent, AccountEventResult } from '../src/shared/account-event';
import type { CascadeInput } from '../src/shared/cascade-input';
import { proxyShortSteps } from './activity-options';
import { runStep } from './cascade-failure';

/**
 * The account-events cascade: a `delete` retires the user's records, a
 * `reset`/`passwordChange` raises their generation high-water mark. One
 * conditional UPDATE, run as a local activity (see {@link proxyShortSteps}).
 */
export async function accountEventsWorkflow(input: CascadeInput<AccountEvent>): Promise<AccountEventResult> {
  const activities = proxyShortSteps<AccountActivities>(input.activity);
  const event = input.event;
  if (event.type === 'delete') {
    const { rowsAffected } = await runStep('retireUser', () => activities.retireUser({ email: event.email }));
    return { type: event.type, outcome: rowsAffected > 0 ? 'retired' : 'no-change', rowsAffected };
  }
  const { rowsAffected } = await runStep('raiseGeneration', () =>
    activities.raiseGeneration({ email: event.email, generation: event.generation }),
  );
  return { type: event.type, outcome: rowsAffected > 0 ? 'generation-raised' : 'no-change', rowsAffected };
}
