import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { sleep } from '../sleep';
import { decodeEnvelope } from '../bridge/envelope';
import { QUARANTINE_ATTRIBUTES } from '../bridge/quarantine';
import { readQueueDepth, toTotalDepth } from '../ops/queue-depth';
import { peekMessages } from '../ops/queue-peek';
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
  /** The quarantine queue, read without consuming it; share one between observers of the same queue. */
  quarantine: QuarantineWatcher;
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
  while (results.size < expected.length && Date.now() < deadline) {
    const quarantined = await options.quarantine.refresh();
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

/** Reads a quarantine queue without consuming it: the reasons of the messages seen so far, by source message ID. */
export interface QuarantineWatcher {
  /** Reads every message now in the queue (concurrent calls share one read) and returns all reasons seen. */
  refresh(): Promise<ReadonlyMap<string, string>>;
}

/** How long messages stay hidden while one read pages through the queue; they are released right after. */
const PEEK_VISIBILITY_SECONDS = 30;

/**
 * A {@link QuarantineWatcher}: each read peeks the whole queue (see
 * {@link peekMessages}), so none hides behind the first ten and none is consumed.
 */
export function createQuarantineWatcher(sqs: SQSClient, queueUrl: string): QuarantineWatcher {
  const seen = new Map<string, string>();
  let reading: Promise<ReadonlyMap<string, string>> | undefined;
  async function read(): Promise<ReadonlyMap<string, string>> {
    // Short polls: the demo reads again every few hundred milliseconds until its deadline, so a sampled empty answer only delays it.
    const { messages } = await peekMessages(sqs, queueUrl, { visibilityTimeoutSeconds: PEEK_VISIBILITY_SECONDS, waitTimeSeconds: 0 });
    for (const message of messages) {
      const source = message.MessageAttributes?.[QUARANTINE_ATTRIBUTES.sourceMessageId]?.StringValue;
      if (source) seen.set(source, message.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue ?? '');
    }
    return seen;
  }
  return {
    refresh() {
      reading ??= read().finally(() => {
        reading = undefined;
      });
      return reading;
    },
  };
}

async function isQueueDrained(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  return toTotalDepth(await readQueueDepth(sqs, queueUrl)) === 0;
}
