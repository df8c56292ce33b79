/** Thrown when a task or an event cannot be sent as asked (bad input, too large); nothing was sent. */
export class InvalidTaskError extends Error {
  readonly action: string;

  constructor(action: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTaskError';
    this.action = action;
  }
}

/** Thrown when a single message (a task, or one event alone) exceeds the queue's maximum message size; nothing was sent. */
export class MessageTooLargeError extends InvalidTaskError {
  readonly bytes: number;
  readonly maxBytes: number;

  constructor(action: string, what: string, bytes: number, maxBytes: number) {
    super(action, `${what} is ${bytes} bytes serialized, more than the queue's maximum message size of ${maxBytes} bytes`);
    this.name = 'MessageTooLargeError';
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/**
 * Thrown when messages could be neither sent nor stored in the outbox (SQS
 * unreachable and the database too). `sent` messages did reach the queue.
 */
export class OutboxWriteError extends Error {
  readonly queueUrl: string;
  readonly sent: number;
  readonly unsent: number;

  constructor(queueUrl: string, sent: number, unsent: number, cause: unknown) {
    super(`${unsent} message(s) for ${queueUrl} could not be sent nor stored in the outbox (${sent} were sent)`, { cause });
    this.name = 'OutboxWriteError';
    this.queueUrl = queueUrl;
    this.sent = sent;
    this.unsent = unsent;
  }
}

/** True when `error` is an {@link InvalidTaskError} (or a {@link MessageTooLargeError}). */
export function isInvalidTaskError(error: unknown): error is InvalidTaskError {
  return error instanceof InvalidTaskError;
}
