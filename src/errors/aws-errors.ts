import { type ErrorClassification, type ErrorRule, lookupRule, permanent, transient } from './error-classification';
import { toErrorMessage } from './error-message';

/**
 * AWS error names (`error.name`, the service's error code) of S3, SNS, SQS
 * and KMS, looked up before the HTTP status: S3 answers a skewed clock with
 * 403 `RequestTimeTooSkewed` (transient: the SDK corrects its clock offset)
 * as it answers a missing permission with 403 `AccessDenied` (permanent).
 */
export const AWS_ERROR_TABLE: Readonly<Record<string, ErrorRule>> = {
  Throttling: transient('AwsThrottled'),
  ThrottlingException: transient('AwsThrottled'),
  ThrottledException: transient('AwsThrottled'),
  Throttled: transient('AwsThrottled'),
  RequestThrottled: transient('AwsThrottled'),
  RequestThrottledException: transient('AwsThrottled'),
  TooManyRequestsException: transient('AwsThrottled'),
  RequestLimitExceeded: transient('AwsThrottled'),
  SlowDown: transient('AwsThrottled'),
  KMSThrottlingException: transient('AwsThrottled'),
  KMSThrottling: transient('AwsThrottled'),
  KmsThrottled: transient('AwsThrottled'),
  ProvisionedThroughputExceededException: transient('AwsThrottled'),
  RequestTimeout: transient('AwsTimeout'),
  RequestTimeoutException: transient('AwsTimeout'),
  TimeoutError: transient('AwsTimeout'),
  RequestTimeTooSkewed: transient('AwsClockSkew'),
  RequestExpired: transient('AwsClockSkew'),
  RequestInTheFuture: transient('AwsClockSkew'),
  ExpiredToken: transient('AwsCredentialsExpired'),
  ExpiredTokenException: transient('AwsCredentialsExpired'),
  OperationAborted: transient('AwsConflict'),
  InternalError: transient('AwsUnavailable'),
  InternalFailure: transient('AwsUnavailable'),
  InternalErrorException: transient('AwsUnavailable'),
  ServiceUnavailable: transient('AwsUnavailable'),
  ServiceUnavailableException: transient('AwsUnavailable'),
  'AWS.SimpleQueueService.ServiceUnavailable': transient('AwsUnavailable'),
  KMSInternalException: transient('AwsUnavailable'),
  AccessDenied: permanent('AwsAccessDenied'),
  AccessDeniedException: permanent('AwsAccessDenied'),
  AuthorizationError: permanent('AwsAccessDenied'),
  AuthorizationErrorException: permanent('AwsAccessDenied'),
  InvalidAccessKeyId: permanent('AwsAccessDenied'),
  InvalidClientTokenId: permanent('AwsAccessDenied'),
  UnrecognizedClientException: permanent('AwsAccessDenied'),
  SignatureDoesNotMatch: permanent('AwsAccessDenied'),
  InvalidSecurity: permanent('AwsAccessDenied'),
  KMSAccessDenied: permanent('AwsAccessDenied'),
  KMSAccessDeniedException: permanent('AwsAccessDenied'),
  KmsAccessDenied: permanent('AwsAccessDenied'),
  KMSDisabled: permanent('AwsResourceUnusable'),
  KMSDisabledException: permanent('AwsResourceUnusable'),
  KmsDisabled: permanent('AwsResourceUnusable'),
  KMSInvalidState: permanent('AwsResourceUnusable'),
  KMSNotFound: permanent('AwsResourceMissing'),
  KmsNotFound: permanent('AwsResourceMissing'),
  AllAccessDisabled: permanent('AwsAccessDenied'),
  'KMS.NotFoundException': permanent('AwsResourceMissing'),
  'KMS.DisabledException': permanent('AwsResourceUnusable'),
  'KMS.KMSInvalidStateException': permanent('AwsResourceUnusable'),
  NoSuchBucket: permanent('AwsResourceMissing'),
  NotFound: permanent('AwsResourceMissing'),
  NotFoundException: permanent('AwsResourceMissing'),
  QueueDoesNotExist: permanent('AwsResourceMissing'),
  'AWS.SimpleQueueService.NonExistentQueue': permanent('AwsResourceMissing'),
  InvalidAddress: permanent('AwsResourceMissing'),
  InvalidBucketName: permanent('AwsInvalidRequest'),
  InvalidParameter: permanent('AwsInvalidRequest'),
  InvalidParameterException: permanent('AwsInvalidRequest'),
  InvalidParameterValue: permanent('AwsInvalidRequest'),
  InvalidParameterValueException: permanent('AwsInvalidRequest'),
  ValidationError: permanent('AwsInvalidRequest'),
  ValidationException: permanent('AwsInvalidRequest'),
  InvalidArgument: permanent('AwsInvalidRequest'),
  InvalidRequest: permanent('AwsInvalidRequest'),
  InvalidMessageContents: permanent('AwsInvalidRequest'),
  EntityTooLarge: permanent('AwsInvalidRequest'),
  MalformedXML: permanent('AwsInvalidRequest'),
  MissingParameter: permanent('AwsInvalidRequest'),
};

/** The fields AWS SDK v3 service exceptions (`ServiceException` of @smithy/smithy-client) carry. */
interface AwsErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** True for an error thrown by an AWS SDK v3 client (it carries `$metadata` or `$fault`). */
export function isAwsError(error: unknown): error is AwsErrorShape {
  return error instanceof Error && ('$metadata' in error || '$fault' in error);
}

/**
 * Classifies an AWS SDK v3 error: by name ({@link AWS_ERROR_TABLE}), else as
 * the SDK's own retry strategy would: `$retryable`, 5xx, 429, 408 and
 * `$fault: 'server'` are transient, any other client fault is permanent.
 * `undefined` when `error` is not an AWS SDK error.
 */
export function classifyAwsError(error: unknown): ErrorClassification | undefined {
  if (!isAwsError(error)) return undefined;
  const status = error.$metadata?.httpStatusCode;
  const reason = `AWS ${error.name}${status === undefined ? '' : ` (HTTP ${status})`}: ${toErrorMessage(error)}`;
  const rule = lookupRule(AWS_ERROR_TABLE, error.name);
  if (rule !== undefined) return { ...rule, reason };
  if (error.$retryable !== undefined) return { ...transient(error.$retryable.throttling === true ? 'AwsThrottled' : 'AwsUnavailable'), reason };
  if (status === 429) return { ...transient('AwsThrottled'), reason };
  if (status === 408) return { ...transient('AwsTimeout'), reason };
  if (error.$fault === 'server' || (status !== undefined && status >= 500)) return { ...transient('AwsUnavailable'), reason };
  if (error.$fault === 'client') return { ...permanent('AwsRequestRefused'), reason };
  return undefined;
}
