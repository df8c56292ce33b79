import { proxyActivities } from '@temporalio/workflow';
import type { OutboxActivities } from '../activities/outbox-activities';
import type { OutboxFlushInput, OutboxFlushResult } from '../src/shared/tasks';
import { toActivityOptions } from './activity-options';
import { runStep } from './cascade-failure';

/** Activity calls one run makes at most; the schedule's next run goes on from there. */
const MAX_ROUNDS = 20;

/**
 * Re-sends what the task producer left in the outbox (started every
 * `CASCADE_OUTBOX_FLUSH_INTERVAL_SECONDS` by the `cascade/outbox-flush`
 * schedule). Calls the flush activity again while it makes progress and
 * messages remain, up to a bound that keeps the history small.
 */
export async function outboxFlushWorkflow(input: OutboxFlushInput): Promise<OutboxFlushResult> {
  const { flushTaskOutbox } = proxyActivities<OutboxActivities>(toActivityOptions(input.activity));
  let sent = 0;
  for (let round = 1; ; round++) {
    const result = await runStep('flushTaskOutbox', () => flushTaskOutbox(input.messagesPerCall === undefined ? {} : { maxMessages: input.messagesPerCall }));
    sent += result.sent;
    if (round >= MAX_ROUNDS || result.sent === 0 || result.remaining === 0 || result.failures.length > 0) {
      return { sent, remaining: result.remaining, failures: result.failures };
    }
  }
}
