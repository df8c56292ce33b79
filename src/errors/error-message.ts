import { isRecord } from '../shared/parse-helpers';

/**
 * The message of any thrown value, for log lines, reasons and wrapped
 * errors: an `Error`'s message, the `message` of an error-like object (an
 * AWS or driver error that is not an `Error` instance), else `String(value)`.
 */
export function toErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  return String(error);
}
