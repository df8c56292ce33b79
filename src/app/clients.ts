import { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { createPayloadCodec, toDataConverter } from '../codec';
import { UnreadablePayloadsAsText } from '../codec/unreadable-payloads';
import type { CascadeConfig } from '../config';
import { getActiveTracing } from '../telemetry/tracing-state';
import { toTemporalConnectionOptions } from '../temporal/connection-options';
import { probeTemporalConnection } from '../temporal/connection-probe';
import { type AwsRequestTimeouts, toAwsRequestHandler } from './aws-request-handler';

/** An SQS client for the configured region and endpoint (ElasticMQ locally), with request timeouts ({@link toAwsRequestHandler}). */
export function createSqsClient(config: CascadeConfig, timeouts: AwsRequestTimeouts = {}): SQSClient {
  return new SQSClient({
    region: config.aws.region,
    requestHandler: toAwsRequestHandler(timeouts),
    ...(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}),
  });
}

/**
 * A Temporal client whose connection is made on first use, so a process can
 * start (and report unready) while Temporal is down, and recover on its own.
 * Payloads go through `payloadCodec` (encryption when `CASCADE_PAYLOAD_KEYS`
 * is set); a process that also runs a worker passes the codec it built once.
 * Address, TLS, mTLS and API key come from `config.temporal.connection`.
 * With tracing on, each start is a span whose context travels to the workflow.
 */
export function createTemporalClient(config: CascadeConfig, payloadCodec: PayloadCodec | undefined = createPayloadCodec(config)): Client {
  const connection = Connection.lazy(toTemporalConnectionOptions(config.temporal.connection));
  const dataConverter = toDataConverter(payloadCodec);
  const interceptors = getActiveTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return new Client({ connection, namespace: config.temporal.namespace, ...(dataConverter ? { dataConverter } : {}), ...(interceptors ? { interceptors } : {}) });
}

/**
 * {@link createTemporalClient} for a CLI command: first probes the connection
 * once, so a misconfigured one (a CA that does not verify the server, a
 * missing client certificate, TLS against plain text…) stops the command with
 * a ConfigError naming the setting instead of a gRPC error. An unreachable
 * server is left to the command's own calls and their errors. `readOnly`
 * (views that send nothing back) shows payloads it cannot decrypt as a text
 * naming their key ({@link UnreadablePayloadsAsText}) instead of failing.
 */
export async function createCheckedTemporalClient(config: CascadeConfig, options: { readonly readOnly?: boolean } = {}): Promise<Client> {
  await probeTemporalConnection(config.temporal.connection);
  const codec = createPayloadCodec(config);
  return createTemporalClient(config, options.readOnly ? new UnreadablePayloadsAsText(codec) : codec);
}

/** Web UI link of one workflow. */
export function toWorkflowUiUrl(config: CascadeConfig, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
