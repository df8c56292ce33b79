/**
 * The local stack of `cascade dev` and the tests: embedded PostgreSQL, the
 * Temporal CLI dev server, ElasticMQ (SQS) and moto (S3/SNS), provisioned and
 * run as detached processes by the project itself.
 */
export { resolveCacheDir } from './cache-dir';
export { ELASTICMQ_VERSION, EMULATOR_ACCOUNT_ID, EMULATOR_REGION, toElasticMqConfig, toElasticMqQueueUrl } from './elasticmq';
export { toEnvLines, toStackEndpoints, type StackEndpointsInput } from './endpoints';
export { buildGoTool, downloadGoModule, resolveGoTool, toCachedGoToolPath, type GoModuleSource, type GoTool, type GoToolContext } from './go-install';
export { MOTO_ACCOUNT_ID, MOTO_VERSION, toMotoTopicArn } from './moto';
export { DEFAULT_STACK_PORTS, STACK_HOST, findFreePort, findFreeStackPorts, isPortFree, type StackPorts } from './ports';
export { POSTGRES_DATABASE, toEmbeddedDatabaseUrl } from './postgres';
export {
  AUDIT_TOPIC_ARN_ENV,
  DEAD_LETTER_QUEUE_URL_ENV,
  DOCUMENT_EVENTS_QUEUE_URL_ENV,
  EMAIL_ARCHIVE_BUCKET_ENV,
  QUARANTINE_QUEUE_URL_ENV,
  QueueConfigError,
  defaultQueueConfigPath,
  loadQueueConfig,
  toQueueDefinitions,
  type QueueConfig,
  type QueueDefinition,
  type QueueKind,
  type RouteQueueConfig,
} from './queue-config';
export { CASCADE_SEARCH_ATTRIBUTES, type CascadeSearchAttributeName, type SearchAttributeTypeName } from '../temporal/search-attributes';
export { getStackStatus, startService, startStack, stopService, stopStack, type StackStateOptions } from './stack';
export { StackError, isStackError } from './stack-error';
export { TEMPORAL_CLI_VERSION, resolveTemporalCli, type ResolveTemporalCliOptions } from './temporal-cli';
export { TEMPORAL_NAMESPACE, toUiCodecEndpoint } from './temporal-server';
export { TEMPORAL_DATABASES, TEMPORAL_SERVER_BUILD_MODULE_DIR, TEMPORAL_SERVER_DYNAMIC_CONFIG, TEMPORAL_SERVER_VERSION } from './temporal-postgres-server';
export { STACK_TEMPORAL_ENV, isTemporalVariant, toTemporalVariant } from './temporal-variant';
export {
  STACK_SERVICE_NAMES,
  TEMPORAL_VARIANTS,
  type TemporalVariant,
  type StackEndpoints,
  type StackOptions,
  type StackProgressEvent,
  type StackServiceName,
  type StackServiceStatus,
} from './types';
