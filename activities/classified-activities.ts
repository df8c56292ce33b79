import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { classifyActivityError } from '../src/errors';

/**
 * What an activity's thrown error becomes for Temporal: a permanent error
 * (per the dependency tables of `classifyActivityError`) becomes a
 * non-retryable `ApplicationFailure` whose type names the kind of failure
 * and whose message says why; a transient one is returned as it is, and
 * Temporal retries it until the activity's schedule-to-close timeout. An
 * `ApplicationFailure` the activity chose itself, and a cancellation, are kept.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  const classification = classifyActivityError(error);
  if (classification.retryable) return error;
  return ApplicationFailure.create({
    message: classification.reason,
    type: classification.type,
    nonRetryable: true,
    cause: error instanceof Error ? error : undefined,
  });
}

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/**
 * Wraps every activity of `activities` once so that what it throws goes
 * through {@link toActivityFailure}; names and signatures stay as they are.
 */
export function withErrorClassification<T extends Record<string, AsyncFunction>>(activities: T): T {
  const wrapped: Record<string, AsyncFunction> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        throw toActivityFailure(error);
      }
    };
  }
  return wrapped as T;
}
