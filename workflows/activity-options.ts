import { type ActivityInterfaceFor, type ActivityOptions, type LocalActivityInterfaceFor, type LocalActivityOptions, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ActivityPolicyInput } from '../src/shared/cascade-input';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';

/**
 * Activity options from a cascade's policy (for activities and local
 * activities alike); input errors are never retried. A policy without
 * `scheduleToCloseTimeoutMs` (recorded before it existed) is bounded by its
 * attempts alone, as it was.
 */
export function toActivityOptions(policy: ActivityPolicyInput): ActivityOptions & LocalActivityOptions {
  return {
    startToCloseTimeout: policy.startToCloseTimeoutMs,
    ...(policy.scheduleToCloseTimeoutMs === undefined ? {} : { scheduleToCloseTimeout: policy.scheduleToCloseTimeoutMs }),
    retry: {
      initialInterval: policy.retry.initialIntervalMs,
      backoffCoefficient: policy.retry.backoffCoefficient,
      maximumInterval: policy.retry.maximumIntervalMs,
      // The SDK takes no 0: unlimited attempts is an absent maximumAttempts.
      ...(policy.retry.maximumAttempts > 0 ? { maximumAttempts: policy.retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: [NON_RETRYABLE_INPUT_ERROR],
    },
  };
}

/**
 * Patch ID of the change that runs each short step (one short database
 * statement: retire user, raise generation, store a TxMA event, record
 * incentive events) as a local activity. Runs begun before it replay their
 * regular activities; every run begun since records this marker.
 */
export const SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH = 'short-steps-as-local-activities';

/** Activities of a short cascade, called the same way whether they run local or regular. */
export type ShortStepActivities<A> = ActivityInterfaceFor<A> | LocalActivityInterfaceFor<A>;

/**
 * The activities of a short cascade with the cascade's policy: local
 * activities (run inside the workflow task: one workflow task for the whole
 * cascade instead of three round trips) in runs begun since
 * {@link SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH}, regular activities in runs
 * begun before it. Same timeouts, retries and error classification either way;
 * a local activity whose worker dies re-runs on another worker, so every short
 * step is an idempotent statement.
 */
export function proxyShortSteps<A>(policy: ActivityPolicyInput): ShortStepActivities<A> {
  const options = toActivityOptions(policy);
  return patched(SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH) ? proxyLocalActivities<A>(options) : proxyActivities<A>(options);
}
