import type { SQSClient } from '@aws-sdk/client-sqs';
import { Option } from 'commander';
import { createSqsClient } from '../app/clients';
import { type CascadeConfig, ConfigError } from '../config';
import { DEAD_LETTER_QUEUE_KINDS, type DeadLetterQueue, type DeadLetterQueueKind } from '../ops/dead-letters';
import { type SourceResolver, createSourceResolver } from '../ops/message-source';
import { DEAD_LETTER_QUEUE_URL_ENV, QUARANTINE_QUEUE_URL_ENV } from '../stack/queue-config';
import { type GlobalOptions, createCliContext } from './cli-context';
import { applyStackEnvironment } from './stack-session';

/** What the operator commands (`dlq …`, `status`) work with. */
export interface OpsContext {
  readonly config: CascadeConfig;
  readonly sqs: SQSClient;
  /** Knows every route queue with a URL set. */
  readonly resolver: SourceResolver;
  close(): void;
}

/**
 * Configuration (filled from a running `cascade stack up` where unset), an
 * SQS client and a source resolver. Operator commands serve no route, so
 * `CASCADE_ROUTES` is ignored: every route whose queue URL is set counts.
 */
export function createOpsContext(global: GlobalOptions, signal?: AbortSignal): OpsContext {
  const env: NodeJS.ProcessEnv = { ...applyStackEnvironment() };
  delete env.CASCADE_ROUTES;
  const { config } = createCliContext(global, ['client'], env);
  const sqs = createSqsClient(config);
  return { config, sqs, resolver: createSourceResolver(sqs, config.routes, signal), close: () => sqs.destroy() };
}

/** `--queue`: which waiting queue(s) a `dlq` command reads. */
export type QueueChoice = DeadLetterQueueKind | 'all';

/** The `--queue` option of the `dlq` commands. */
export function createQueueOption(): Option {
  return new Option('--queue <queue>', 'which queue: the dead-letter queue (failed maxReceiveCount times), the quarantine queue (rejected), or all').choices([...DEAD_LETTER_QUEUE_KINDS, 'all']).default('all');
}

/** The queues `choice` names, dead-letter first. Throws {@link ConfigError} naming the variable of a queue without URL. */
export function toWaitingQueues(config: CascadeConfig, choice: QueueChoice): DeadLetterQueue[] {
  const wanted = choice === 'all' ? DEAD_LETTER_QUEUE_KINDS : [choice];
  const urls: Record<DeadLetterQueueKind, { url: string | undefined; variable: string }> = {
    'dead-letter': { url: config.deadLetterQueueUrl, variable: DEAD_LETTER_QUEUE_URL_ENV },
    quarantine: { url: config.quarantineQueueUrl, variable: QUARANTINE_QUEUE_URL_ENV },
  };
  const missing = wanted.filter((kind) => urls[kind].url === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((kind) => ({
        variable: urls[kind].variable,
        message: `is needed to read the ${kind} queue: set it, or run \`cascade stack up\` for the local one${choice === 'all' ? ' (or pass --queue to read the other queue only)' : ''}`,
      })),
    );
  }
  return wanted.map((kind) => ({ kind, queueUrl: urls[kind].url ?? '' }));
}
