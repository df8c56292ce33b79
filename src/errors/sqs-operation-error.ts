import { toErrorMessage } from './error-message';

/** Thrown when an SQS call made by Cascade (the bridge, or an operator command) fails; carries the queue and messages concerned. */
export class SqsOperationError extends Error {
  readonly operation: string;
  readonly queueUrl: string;
  readonly messageIds: readonly string[];

  constructor(operation: string, queueUrl: string, messageIds: readonly string[], cause: unknown) {
    super(`SQS ${operation} on ${queueUrl} failed: ${toErrorMessage(cause)}`, { cause });
    this.name = 'SqsOperationError';
    this.operation = operation;
    this.queueUrl = queueUrl;
    this.messageIds = messageIds;
  }
}
