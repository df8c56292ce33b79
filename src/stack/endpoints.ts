import { EMULATOR_REGION, toElasticMqQueueUrl } from './elasticmq';
import { toMotoTopicArn } from './moto';
import { STACK_HOST, type StackPorts } from './ports';
import { toEmbeddedDatabaseUrl } from './postgres';
import { AUDIT_TOPIC_ARN_ENV, EMAIL_ARCHIVE_BUCKET_ENV, toQueueDefinitions, type QueueConfig } from './queue-config';
import { TEMPORAL_NAMESPACE } from './temporal-server';
import type { StackEndpoints } from './types';

/** Input of {@link toStackEndpoints}. */
export interface StackEndpointsInput {
  ports: StackPorts;
  queueConfig: QueueConfig;
  /** An external database replacing the embedded PostgreSQL. */
  databaseUrl?: string;
}

/** The endpoints of a stack on `ports` (pure: nothing is started or checked). */
export function toStackEndpoints(input: StackEndpointsInput): StackEndpoints {
  const { ports } = input;
  const sqs = `http://${STACK_HOST}:${ports.sqs}`;
  const moto = `http://${STACK_HOST}:${ports.moto}`;
  const queueUrls = Object.fromEntries(toQueueDefinitions(input.queueConfig).map((queue) => [queue.envName, toElasticMqQueueUrl(ports.sqs, queue.name)]));
  return {
    ...queueUrls,
    DATABASE_URL: input.databaseUrl ?? toEmbeddedDatabaseUrl(ports.postgres),
    TEMPORAL_ADDRESS: `${STACK_HOST}:${ports.temporal}`,
    TEMPORAL_NAMESPACE,
    TEMPORAL_UI_URL: `http://${STACK_HOST}:${ports.temporalUi}`,
    TEMPORAL_METRICS_URL: `http://${STACK_HOST}:${ports.temporalMetrics}/metrics`,
    AWS_REGION: EMULATOR_REGION,
    AWS_ENDPOINT_URL_SQS: sqs,
    AWS_ENDPOINT_URL_S3: moto,
    AWS_ENDPOINT_URL_SNS: moto,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    [AUDIT_TOPIC_ARN_ENV]: toMotoTopicArn(input.queueConfig.destinations.auditTopic),
    [EMAIL_ARCHIVE_BUCKET_ENV]: input.queueConfig.destinations.emailArchiveBucket,
    CASCADE_HTTP_URL: `http://${STACK_HOST}:${ports.http}`,
  };
}

/** `KEY=value` lines sorted by key, as printed by `cascade stack env`. */
export function toEnvLines(endpoints: StackEndpoints): string[] {
  return Object.keys(endpoints)
    .sort()
    .map((key) => `${key}=${endpoints[key]}`);
}
