import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * Runs one step; when its activity fails for good (retries exhausted or a
 * non-retryable error), fails the cascade with a reason an operator can read
 * in `cascade failed` and the Web UI.
 */
export async function runStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ActivityFailure) {
      const cause = error.cause;
      const detail = cause instanceof Error ? cause.message : 'unknown cause';
      throw ApplicationFailure.create({
        type: 'CascadeStepFailed',
        message: `${step} failed: ${detail}`,
        nonRetryable: true,
        cause: error,
        details: [{ step }],
      });
    }
    throw error;
  }
}
