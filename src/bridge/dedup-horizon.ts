import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';

/** One queue compared with the namespace retention. */
export interface DedupHorizonFinding {
  readonly queueUrl: string;
  readonly queueRetentionSeconds: number;
  readonly namespaceRetentionSeconds: number;
  /** True when a message could be redelivered after Temporal forgot its closed run (a duplicate would run again). */
  readonly unsafe: boolean;
}

/**
 * Compares the namespace's workflow retention with each queue's
 * `MessageRetentionPeriod`: Temporal rejects a duplicate event only while the
 * closed run is retained. Logs a warning per unsafe queue; never throws
 * (an unreachable dependency is logged and skipped).
 */
export async function checkDedupHorizon(options: {
  client: Client;
  sqs: SQSClient;
  namespace: string;
  queueUrls: readonly string[];
  logger: Logger;
}): Promise<DedupHorizonFinding[]> {
  let namespaceRetentionSeconds: number;
  try {
    const described = await options.client.connection.withDeadline(Date.now() + 5000, () =>
      options.client.workflowService.describeNamespace({ namespace: options.namespace }),
    );
    namespaceRetentionSeconds = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
  } catch (error) {
    options.logger.warn({ err: error }, 'dedup horizon not checked: could not describe the Temporal namespace');
    return [];
  }
  const findings: DedupHorizonFinding[] = [];
  for (const queueUrl of options.queueUrls) {
    try {
      const attributes = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MessageRetentionPeriod'] }));
      const reported = attributes.Attributes?.MessageRetentionPeriod;
      if (reported === undefined) {
        options.logger.info({ queueUrl }, 'dedup horizon not checked for this queue: it reports no MessageRetentionPeriod (ElasticMQ does not)');
        continue;
      }
      const queueRetentionSeconds = Number(reported);
      const finding = { queueUrl, queueRetentionSeconds, namespaceRetentionSeconds, unsafe: namespaceRetentionSeconds < queueRetentionSeconds };
      findings.push(finding);
      if (finding.unsafe) {
        options.logger.warn(
          finding,
          'dedup horizon: the namespace retains closed workflows for less time than the queue retains messages; a message redelivered after the retention could start its cascade again. Raise the namespace retention or lower the queue MessageRetentionPeriod.',
        );
      }
    } catch (error) {
      options.logger.warn({ err: error, queueUrl }, 'dedup horizon not checked for this queue: GetQueueAttributes failed');
    }
  }
  return findings;
}
