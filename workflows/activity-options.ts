import type { ActivityOptions } from '@temporalio/workflow';
import type { ActivityPolicyInput } from '../src/shared/cascade-input';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';

/**
 * Activity options from a cascade's policy (for activities and local
 * activities alike); input errors are never retried. A policy without
 * `scheduleToCloseTimeoutMs` (recorded before it existed) is bounded by its
 * attempts alone, as it was.
 */
export function toActivityOptions(policy: ActivityPolicyInput): ActivityOptions {
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
