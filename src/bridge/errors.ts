import { isGrpcServiceError } from '@temporalio/client';
import { toErrorMessage } from '../errors/error-message';

/** Thrown when starting a workflow failed for a reason other than "already started" (Temporal down, timeout…). */
export class WorkflowStartError extends Error {
  readonly workflowId: string;

  constructor(workflowId: string, cause: unknown) {
    super(`starting workflow ${workflowId} failed: ${toErrorMessage(cause)}`, { cause });
    this.name = 'WorkflowStartError';
    this.workflowId = workflowId;
  }
}

/** True when `error` is a {@link WorkflowStartError}. */
export function isWorkflowStartError(error: unknown): error is WorkflowStartError {
  return error instanceof WorkflowStartError;
}

/**
 * gRPC status codes that mean "Temporal did not answer" (grpc/doc/statuscodes.md):
 * the server is down, unreachable, restarting or too slow to answer in time.
 * The Temporal client retries UNAVAILABLE within the call's deadline, so a
 * refused connection usually ends as DEADLINE_EXCEEDED.
 */
export const TEMPORAL_UNAVAILABLE_STATUS = { DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

const UNAVAILABLE_CODES: ReadonlySet<number> = new Set(Object.values(TEMPORAL_UNAVAILABLE_STATUS));

/**
 * True when `error`, or an error in its `cause` chain, is a gRPC error whose
 * status says Temporal did not answer (UNAVAILABLE, DEADLINE_EXCEEDED). Any
 * other answer (already started, invalid argument, throttled, permission
 * denied…) means Temporal is up.
 */
export function isTemporalUnavailableError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (isGrpcServiceError(current) && UNAVAILABLE_CODES.has(current.code)) return true;
  }
  return false;
}
