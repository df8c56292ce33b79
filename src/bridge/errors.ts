/** Thrown when an SQS call made by Cascade (the bridge, or an operator command) fails; carries the queue and messages concerned. */
export class SqsOperationError extends Error {
  readonly operation: string;
  readonly queueUrl: string;
  readonly messageIds: readonly string[];

  constructor(operation: string, queueUrl: string, messageIds: readonly string[], cause: unknown) {
    super(`SQS ${operation} on ${queueUrl} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SqsOperationError';
    this.operation = operation;
    this.queueUrl = queueUrl;
    this.messageIds = messageIds;
  }
}

/** Thrown when starting a workflow failed for a reason other than "already started" (Temporal down, timeout…). */
export class WorkflowStartError extends Error {
  readonly workflowId: string;

  constructor(workflowId: string, cause: unknown) {
    super(`starting workflow ${workflowId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'WorkflowStartError';
    this.workflowId = workflowId;
  }
}

/** True when `error` is a {@link WorkflowStartError}. */
export function isWorkflowStartError(error: unknown): error is WorkflowStartError {
  return error instanceof WorkflowStartError;
}
