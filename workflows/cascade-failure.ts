import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../src/shared/failure-types';

/**
 * Runs one step; when its activity fails for good (retries exhausted or a
 * non-retryable error), fails the cascade with a reason an operator can read
 * in `cascade failed` and the Web UI. A local activity's failure arrives as
 * the activity's own ApplicationFailure, a regular activity's wrapped in an
 * ActivityFailure: both end the same way.
 */
export async function runStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = error instanceof ActivityFailure ? error.cause : error instanceof ApplicationFailure && error.type !== FAILURE_TYPES.CascadeStepFailed ? error : undefined;
    if (error instanceof ActivityFailure || failure !== undefined) {
      const detail = failure instanceof Error ? failure.message : 'unknown cause';
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.CascadeStepFailed,
        message: `${step} failed: ${detail}`,
        nonRetryable: true,
        cause: error instanceof Error ? error : undefined,
        details: [{ step }],
      });
    }
    throw error;
  }
}
