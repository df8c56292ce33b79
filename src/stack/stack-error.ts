/**
 * Thrown when a service of the local stack cannot be provisioned, started,
 * reached or stopped. The message says what went wrong (with the log file and
 * its last lines when a process did not come up); `hint` says what to do.
 */
export class StackError extends Error {
  /** The stack service concerned, e.g. `temporal`, or `stack` for the whole stack. */
  readonly service: string;
  /** What the operator can do about it, in one or two sentences. */
  readonly hint: string;

  constructor(service: string, message: string, hint: string, options: { cause?: unknown } = {}) {
    super(`${service}: ${message}\nHint: ${hint}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StackError';
    this.service = service;
    this.hint = hint;
  }
}

/** True when `error` is a {@link StackError}. */
export function isStackError(error: unknown): error is StackError {
  return error instanceof StackError;
}
