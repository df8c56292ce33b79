import { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import type { CascadeConfig } from '../config';

/** An SQS client for the configured region and endpoint (ElasticMQ locally). */
export function createSqsClient(config: CascadeConfig): SQSClient {
  return new SQSClient({ region: config.aws.region, ...(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}) });
}

/**
 * A Temporal client whose connection is made on first use, so a process can
 * start (and report unready) while Temporal is down, and recover on its own.
 */
export function createTemporalClient(config: CascadeConfig): Client {
  const connection = Connection.lazy({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Web UI link of one workflow. */
export function toWorkflowUiUrl(config: CascadeConfig, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
