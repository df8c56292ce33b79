import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { toErrorMessage } from '../errors/error-message';

/** One queue compared with the namespace retention. */
export interface DedupHorizonFinding {
  readonly queueUrl: string;
  readonly queueRetentionSeconds: number;
  readonly namespaceRetentionSeconds: number;
  /** True when a message could be redelivered after Temporal forgot its closed run (a duplicate would run again). */
  readonly unsafe: boolean;
}

/** One queue of a {@link DedupHorizonReport}: compared, or why it could not be. */
export type DedupHorizonQueue =
  | ({ readonly checked: true } & DedupHorizonFinding)
  | { readonly checked: false; readonly queueUrl: string; readonly reason: string };

/** The namespace retention and each queue's comparison with it. */
export interface DedupHorizonReport {
  readonly namespace: string;
  /** Undefined when the namespace could not be described (see `namespaceError`). */
  readonly namespaceRetentionSeconds: number | undefined;
  readonly namespaceError?: string;
  readonly queues: readonly DedupHorizonQueue[];
}

/** What {@link readDedupHorizon} and {@link checkDedupHorizon} read. */
export interface DedupHorizonOptions {
  readonly client: Client;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly namespace: string;
  readonly queueUrls: readonly string[];
  readonly signal?: AbortSignal;
}

/** Shown where a queue reports no `MessageRetentionPeriod`. */
export const NO_QUEUE_RETENTION = 'the queue reports no MessageRetentionPeriod (ElasticMQ does not)';

/**
 * Compares the namespace's workflow retention with each queue's
 * `MessageRetentionPeriod`: Temporal rejects a duplicate event only while the
 * closed run is retained. Never throws: what cannot be read is reported with
 * the reason.
 */
export async function readDedupHorizon(options: DedupHorizonOptions): Promise<DedupHorizonReport> {
  let namespaceRetentionSeconds: number;
  try {
    const described = await options.client.connection.withDeadline(Date.now() + 5000, () =>
      options.client.workflowService.describeNamespace({ namespace: options.namespace }),
    );
    namespaceRetentionSeconds = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
  } catch (error) {
    const reason = `could not describe the Temporal namespace: ${toErrorMessage(error)}`;
    return {
      namespace: options.namespace,
      namespaceRetentionSeconds: undefined,
      namespaceError: reason,
      queues: options.queueUrls.map((queueUrl) => ({ checked: false, queueUrl, reason })),
    };
  }
  const queues: DedupHorizonQueue[] = [];
  for (const queueUrl of options.queueUrls) {
    try {
      const attributes = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MessageRetentionPeriod'] }), { abortSignal: options.signal });
      const reported = attributes.Attributes?.MessageRetentionPeriod;
      if (reported === undefined) {
        queues.push({ checked: false, queueUrl, reason: NO_QUEUE_RETENTION });
        continue;
      }
      const queueRetentionSeconds = Number(reported);
      queues.push({ checked: true, queueUrl, queueRetentionSeconds, namespaceRetentionSeconds, unsafe: namespaceRetentionSeconds < queueRetentionSeconds });
    } catch (error) {
      queues.push({ checked: false, queueUrl, reason: `GetQueueAttributes failed: ${toErrorMessage(error)}` });
    }
  }
  return { namespace: options.namespace, namespaceRetentionSeconds, queues };
}

/**
 * {@link readDedupHorizon}, logged: a warning per unsafe queue, and why a
 * queue or the namespace could not be checked. Never throws; returns the
 * queues that were compared.
 */
export async function checkDedupHorizon(options: DedupHorizonOptions & { readonly logger: Logger }): Promise<DedupHorizonFinding[]> {
  const report = await readDedupHorizon(options);
  if (report.namespaceError !== undefined) {
    options.logger.warn({ namespace: report.namespace, reason: report.namespaceError }, 'dedup horizon not checked: could not describe the Temporal namespace');
    return [];
  }
  const findings: DedupHorizonFinding[] = [];
  for (const queue of report.queues) {
    if (!queue.checked) {
      const level = queue.reason === NO_QUEUE_RETENTION ? 'info' : 'warn';
      options.logger[level]({ queueUrl: queue.queueUrl, reason: queue.reason }, `dedup horizon not checked for this queue: ${queue.reason}`);
      continue;
    }
    const { checked: _checked, ...finding } = queue;
    findings.push(finding);
    if (finding.unsafe) {
      options.logger.warn(
        finding,
        'dedup horizon: the namespace retains closed workflows for less time than the queue retains messages; a message redelivered after the retention could start its cascade again. Raise the namespace retention or lower the queue MessageRetentionPeriod.',
      );
    }
  }
  return findings;
}
