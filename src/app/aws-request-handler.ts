/** Timeouts of every AWS client Cascade builds (per attempt; the SDK makes up to 3 attempts). */
export interface AwsRequestTimeouts {
  /** TCP (and TLS) connect. @default 3000 */
  readonly connectionTimeoutMs?: number;
  /**
   * One request from send to complete response. Above SQS's longest long
   * poll (20 s); calls that need less pass a shorter `requestTimeout` to
   * `send`. @default 30000
   */
  readonly requestTimeoutMs?: number;
}

/** The default {@link AwsRequestTimeouts}. */
export const DEFAULT_AWS_REQUEST_TIMEOUTS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 } as const satisfies AwsRequestTimeouts;

/**
 * The `requestHandler` option of an AWS SDK v3 client: a peer that accepts
 * the connection and never answers fails the attempt with a `TimeoutError`
 * instead of hanging it.
 */
export function toAwsRequestHandler(timeouts: AwsRequestTimeouts = {}): { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } {
  return {
    connectionTimeout: timeouts.connectionTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUTS.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUTS.requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
}
