/**
 * Every failure type Cascade gives a Temporal `ApplicationFailure`: the kinds
 * of dependency error the classification tables of `src/errors` name (a
 * non-retryable activity failure carries one), and Cascade's own. Operators
 * see them in `cascade failed`, the Web UI and `nonRetryableErrorTypes`, so
 * they are stable names. Pure data: workflows import it too.
 */
export const FAILURE_TYPES = {
  // AWS (src/errors/aws-errors.ts)
  AwsThrottled: 'AwsThrottled',
  AwsTimeout: 'AwsTimeout',
  AwsClockSkew: 'AwsClockSkew',
  AwsCredentialsExpired: 'AwsCredentialsExpired',
  AwsConflict: 'AwsConflict',
  AwsUnavailable: 'AwsUnavailable',
  AwsAccessDenied: 'AwsAccessDenied',
  AwsResourceUnusable: 'AwsResourceUnusable',
  AwsResourceMissing: 'AwsResourceMissing',
  AwsInvalidRequest: 'AwsInvalidRequest',
  AwsRequestRefused: 'AwsRequestRefused',
  // PostgreSQL and Prisma (src/errors/postgres-errors.ts)
  DatabaseSerializationFailure: 'DatabaseSerializationFailure',
  DatabaseDeadlock: 'DatabaseDeadlock',
  DatabaseLockTimeout: 'DatabaseLockTimeout',
  DatabaseTimeout: 'DatabaseTimeout',
  DatabaseUnavailable: 'DatabaseUnavailable',
  DatabaseTooManyConnections: 'DatabaseTooManyConnections',
  DatabaseTransactionRollback: 'DatabaseTransactionRollback',
  DatabaseResourcesExhausted: 'DatabaseResourcesExhausted',
  DatabaseMissing: 'DatabaseMissing',
  DatabaseAccessDenied: 'DatabaseAccessDenied',
  DatabaseSchemaMismatch: 'DatabaseSchemaMismatch',
  DatabaseUnsupported: 'DatabaseUnsupported',
  DatabaseInvalidData: 'DatabaseInvalidData',
  DatabaseConstraintViolation: 'DatabaseConstraintViolation',
  DatabaseInvalidStatement: 'DatabaseInvalidStatement',
  DatabaseInvalidQuery: 'DatabaseInvalidQuery',
  DatabaseRecordMissing: 'DatabaseRecordMissing',
  // Network (src/errors/network-errors.ts)
  NetworkUnavailable: 'NetworkUnavailable',
  NetworkTimeout: 'NetworkTimeout',
  /** An error no table knows; retried, as Temporal retries any error. */
  Unclassified: 'Unclassified',
  /** Bad cascade input: never retried (`nonRetryableErrorTypes` of every activity). */
  InvalidCascadeInput: 'InvalidCascadeInput',
  /** The entity-deleted audit topic or document-events queue is unset, missing, denied, or refuses the events as malformed. */
  EventDestinationUnavailable: 'EventDestinationUnavailable',
  /** The email-archive bucket is unset, missing or denied. */
  EmailArchiveUnavailable: 'EmailArchiveUnavailable',
  /** A workflow step failed for good; the cascade fails with the step named (`runStep`). */
  CascadeStepFailed: 'CascadeStepFailed',
} as const;

/** One of {@link FAILURE_TYPES}. */
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];
