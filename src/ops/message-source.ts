import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RouteQueue } from '../config';
import { toErrorMessage } from '../errors/error-message';

/** How a message's source queue was learnt. */
export type SourceEvidence = 'cascade.source-queue' | 'DeadLetterQueueSourceArn' | '--to';

/** The queue a dead-lettered or quarantined message came from, or why that is unknown. */
export type MessageSource =
  | {
      readonly known: true;
      readonly queueUrl: string;
      /** The route consuming that queue, when it is one of the configured route queues. */
      readonly route: string | undefined;
      readonly evidence: SourceEvidence;
    }
  | { readonly known: false; readonly reason: string };

/** Finds route queues by URL or ARN, and other queues by ARN. */
export interface SourceResolver {
  /** The source of a message SQS moved to a dead-letter queue, from its `DeadLetterQueueSourceArn`. */
  fromArn(arn: string): Promise<MessageSource>;
  /** The configured route whose queue has this URL. */
  routeOf(queueUrl: string): string | undefined;
  /** The configured queue of `route`. */
  queueOf(route: string): string | undefined;
}

const SQS_ARN = /^arn:[^:]+:sqs:[^:]*:(\d*):(.+)$/;

/**
 * A {@link SourceResolver} over the configured route queues: an ARN is
 * matched against their `QueueArn` (read once), else resolved with
 * `GetQueueUrl` from the name and account in the ARN.
 */
export function createSourceResolver(sqs: Pick<SQSClient, 'send'>, routeQueues: readonly RouteQueue[], signal?: AbortSignal): SourceResolver {
  let routeArns: Promise<Map<string, RouteQueue>> | undefined;
  const byArn = new Map<string, Promise<MessageSource>>();

  async function readRouteArns(): Promise<Map<string, RouteQueue>> {
    const entries = await Promise.all(
      routeQueues.map(async (queue) => {
        try {
          const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['QueueArn'] }), { abortSignal: signal });
          return Attributes?.QueueArn ? ([[Attributes.QueueArn, queue]] as const) : [];
        } catch {
          // A route queue SQS cannot describe matches no ARN; such a source is then looked up by name below.
          return [];
        }
      }),
    );
    return new Map(entries.flat());
  }

  async function resolve(arn: string): Promise<MessageSource> {
    routeArns ??= readRouteArns();
    const route = (await routeArns).get(arn);
    if (route) return { known: true, queueUrl: route.queueUrl, route: route.route, evidence: 'DeadLetterQueueSourceArn' };
    const parsed = SQS_ARN.exec(arn);
    if (!parsed) return { known: false, reason: `DeadLetterQueueSourceArn "${arn}" is not an SQS queue ARN` };
    const [, account = '', name = ''] = parsed;
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }), { abortSignal: signal });
      if (!QueueUrl) return { known: false, reason: `SQS returned no URL for the source queue ${arn}` };
      return { known: true, queueUrl: QueueUrl, route: routeOf(QueueUrl), evidence: 'DeadLetterQueueSourceArn' };
    } catch (error) {
      return { known: false, reason: `the source queue ${arn} cannot be found (${toErrorMessage(error)})` };
    }
  }

  function routeOf(queueUrl: string): string | undefined {
    return routeQueues.find((queue) => queue.queueUrl === queueUrl)?.route;
  }

  return {
    fromArn(arn) {
      let source = byArn.get(arn);
      if (!source) {
        source = resolve(arn);
        byArn.set(arn, source);
      }
      return source;
    },
    routeOf,
    queueOf(route) {
      return routeQueues.find((queue) => queue.route === route)?.queueUrl;
    },
  };
}
