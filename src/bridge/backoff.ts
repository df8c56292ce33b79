/**
 * Visibility delay after the n-th failed receive of a message:
 * `base × 2^(receiveCount−1)`, capped at `max` (seconds, SQS allows up to 12 h).
 */
export function toFailureBackoffSeconds(receiveCount: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.max(0, Math.min(30, receiveCount - 1));
  return Math.min(maxSeconds, 43_200, baseSeconds * 2 ** exponent);
}
