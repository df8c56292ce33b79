import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { sleep } from '../bridge/backoff';
import { decodeEnvelope } from '../bridge/envelope';
import { QUARANTINE_ATTRIBUTES } from '../bridge/quarantine';
import { type RouteDefinition, toWorkflowId } from '../routes/route';

/** What became of one sent message, read back from Temporal and the queues. */
export interface ObservedOutcome {
  readonly messageId: string;
  readonly outcome: 'completed' | 'failed' | 'duplicate' | 'ignored' | 'quarantined' | 'pending';
  readonly workflowId?: string;
  readonly detail: string;
}

/**
 * Waits until every sent message has a visible effect — its workflow closed,
 * its copy in quarantine, or (ignored) the source queue drained — and
 * reports each. It observes whichever Cascade processes the queue.
 */
export async function observeOutcomes(options: {
  client: Client;
  sqs: SQSClient;
  route: RouteDefinition;
  queueUrl: string;
  quarantineQueueUrl: string;
  sent: ReadonlyArray<{ messageId: string; body: string; sentAt: Date }>;
  timeoutMs: number;
}): Promise<ObservedOutcome[]> {
  const deadline = Date.now() + options.timeoutMs;
  const expected = options.sent.map(({ messageId, body, sentAt }) => {
    const decoded = decodeEnvelope(body);
    const parsed = decoded.ok ? options.route.parse(decoded.body, { messageId, sentAt }) : { kind: 'rejected' as const, reason: decoded.reason };
    return { messageId, parsed, workflowId: parsed.kind === 'event' ? toWorkflowId(options.route.name, parsed.eventKey) : undefined };
  });
  const results = new Map<string, ObservedOutcome>();
  const firstOfWorkflow = new Map<string, string>();
  for (const e of expected) if (e.workflowId && !firstOfWorkflow.has(e.workflowId)) firstOfWorkflow.set(e.workflowId, e.messageId);
  const quarantined = new Map<string, string>();

  while (results.size < expected.length && Date.now() < deadline) {
    await collectQuarantined(options.sqs, options.quarantineQueueUrl, quarantined);
    const drained = await isQueueDrained(options.sqs, options.queueUrl);
    for (const e of expected) {
      if (results.has(e.messageId)) continue;
      if (e.workflowId) {
        const closed = await describeClosed(options.client, e.workflowId);
        if (!closed) continue;
        const duplicateOf = firstOfWorkflow.get(e.workflowId) !== e.messageId;
        results.set(e.messageId, { messageId: e.messageId, workflowId: e.workflowId, outcome: duplicateOf ? 'duplicate' : closed.outcome, detail: duplicateOf ? 'same event as an earlier message: not run again' : closed.detail });
      } else if (e.parsed.kind === 'rejected') {
        const reason = quarantined.get(e.messageId);
        if (reason !== undefined) results.set(e.messageId, { messageId: e.messageId, outcome: 'quarantined', detail: reason });
      } else if (e.parsed.kind === 'ignored' && drained) {
        results.set(e.messageId, { messageId: e.messageId, outcome: 'ignored', detail: e.parsed.reason });
      }
    }
    if (results.size < expected.length) await sleep(300);
  }
  return expected.map((e) => results.get(e.messageId) ?? { messageId: e.messageId, outcome: 'pending', detail: 'no effect seen yet: is a Cascade bridge and worker running on this queue?' });
}

async function describeClosed(client: Client, workflowId: string): Promise<{ outcome: 'completed' | 'failed'; detail: string } | undefined> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') return undefined;
    if (description.status.name === 'COMPLETED') return { outcome: 'completed', detail: JSON.stringify(await handle.result()) };
    return { outcome: 'failed', detail: description.status.name };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function collectQuarantined(sqs: SQSClient, queueUrl: string, into: Map<string, string>): Promise<void> {
  const response = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
  );
  for (const message of response.Messages ?? []) {
    const source = message.MessageAttributes?.[QUARANTINE_ATTRIBUTES.sourceMessageId]?.StringValue;
    const reason = message.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue;
    if (source) into.set(source, reason ?? '');
  }
}

const DEPTH_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

async function isQueueDrained(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...DEPTH_ATTRIBUTES] }),
  );
  return DEPTH_ATTRIBUTES.every((key) => Number(Attributes?.[key] ?? '0') === 0);
}
