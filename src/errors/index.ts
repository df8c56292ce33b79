export { AWS_ERROR_TABLE, classifyAwsError, isAwsError } from './aws-errors';
export { UNCLASSIFIED_ERROR, classifyActivityError } from './classify-activity-error';
export type { ErrorClassification, ErrorClassifier, ErrorRule } from './error-classification';
export { NETWORK_ERROR_TABLE, classifyNetworkError } from './network-errors';
export {
  DRIVER_ADAPTER_KIND_TABLE,
  POSTGRES_SQLSTATE_CLASS_TABLE,
  POSTGRES_SQLSTATE_TABLE,
  PRISMA_ERROR_TABLE,
  classifyPostgresError,
  toSqlStateRule,
} from './postgres-errors';
export { toErrorMessage } from './error-message';
export { FAILURE_TYPES, type FailureType } from '../shared/failure-types';
export { SqsOperationError } from './sqs-operation-error';
