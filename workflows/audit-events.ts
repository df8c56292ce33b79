import { proxyActivities } from '@temporalio/workflow';
import type { TxmaActivities } from '../activities/txma-activities';
import type { CascadeInput } from '../src/shared/cascade-input';
import type { TxmaEventRecord, TxmaPurgeInput, TxmaPurgeResult, TxmaStoreResult } from '../src/shared/txma';
import { proxyShortSteps, toActivityOptions } from './activity-options';
import { runStep } from './cascade-failure';

/** Purge batches one run deletes at most; the schedule's next run goes on from there. */
const MAX_PURGE_ROUNDS = 50;
const DEFAULT_PURGE_BATCH_SIZE = 5000;

/** The audit-events cascade: one upsert of the TxMA event into `txma_events`, run as a local activity (see {@link proxyShortSteps}). */
export async function auditEventsWorkflow(input: CascadeInput<TxmaEventRecord>): Promise<TxmaStoreResult> {
  const { storeTxmaEvent } = proxyShortSteps<TxmaActivities>(input.activity);
  return runStep('storeTxmaEvent', () => storeTxmaEvent(input.event));
}

/**
 * Deletes expired TxMA events in batches (started every
 * `CASCADE_TXMA_PURGE_INTERVAL_SECONDS` by the `cascade/txma-purge` schedule),
 * until a batch comes back short or the round limit keeps the history small.
 */
export async function txmaPurgeWorkflow(input: TxmaPurgeInput): Promise<TxmaPurgeResult> {
  const { purgeExpiredTxmaEvents } = proxyActivities<TxmaActivities>(toActivityOptions(input.activity));
  const batchSize = input.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  let deleted = 0;
  for (let round = 1; round <= MAX_PURGE_ROUNDS; round++) {
    const result = await runStep('purgeExpiredTxmaEvents', () => purgeExpiredTxmaEvents({ batchSize }));
    deleted += result.deleted;
    if (result.deleted < batchSize) return { deleted, more: false };
  }
  return { deleted, more: true };
}
