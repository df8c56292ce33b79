import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import type { TxmaEventRecord, TxmaStoreResult } from '../src/shared/txma';

/** What the TxMA activities need: the `txma_events` table and the events' lifetime. */
export interface TxmaActivityDeps {
  readonly db: Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
  /** `CASCADE_TXMA_TTL_SECONDS`: a stored event expires this long after it was (last) stored. */
  readonly ttlSeconds: number;
}

/** Input of {@link TxmaActivities.purgeExpiredTxmaEvents}. */
export interface PurgeExpiredInput {
  /** Most rows deleted by this call (one statement). */
  readonly batchSize: number;
}

/**
 * The TxMA activities: store one event (an upsert on its keys, so redelivery
 * is harmless) and delete a batch of expired events.
 */
export function createTxmaActivities(deps: TxmaActivityDeps) {
  return {
    /** Upserts the event under (pk, sk) with `expires_at = now() + TTL`. */
    async storeTxmaEvent(input: TxmaEventRecord): Promise<TxmaStoreResult> {
      assertRecord(input);
      const [row] = await deps.db.$queryRaw<Array<{ expires_at: Date }>>`
        INSERT INTO txma_events (pk, sk, event, expires_at)
        VALUES (${input.pk}, ${input.sk}, ${JSON.stringify(input.event)}::jsonb, now() + make_interval(secs => ${deps.ttlSeconds}))
        ON CONFLICT (pk, sk) DO UPDATE SET event = EXCLUDED.event, expires_at = EXCLUDED.expires_at
        RETURNING expires_at`;
      if (row === undefined) throw new Error(`storing ${input.pk} ${input.sk} returned no row`);
      return { pk: input.pk, sk: input.sk, expiresAt: row.expires_at.toISOString() };
    },

    /** Deletes up to `batchSize` expired events, oldest expiry first; returns how many. */
    async purgeExpiredTxmaEvents(input: PurgeExpiredInput): Promise<{ deleted: number }> {
      if (!Number.isSafeInteger(input.batchSize) || input.batchSize < 1) {
        throw ApplicationFailure.nonRetryable(`batchSize must be a positive integer, got ${String(input.batchSize)}`, NON_RETRYABLE_INPUT_ERROR);
      }
      const deleted = await deps.db.$executeRaw`
        DELETE FROM txma_events AS t
        USING (
          SELECT pk, sk FROM txma_events WHERE expires_at <= now() ORDER BY expires_at LIMIT ${input.batchSize} FOR UPDATE SKIP LOCKED
        ) AS expired
        WHERE t.pk = expired.pk AND t.sk = expired.sk`;
      return { deleted };
    },
  };
}

/** The TxMA activities, as registered with the worker. */
export type TxmaActivities = ReturnType<typeof createTxmaActivities>;

function assertRecord(input: TxmaEventRecord): void {
  const problems: string[] = [];
  if (typeof input?.pk !== 'string' || !input.pk.startsWith('SESSION#')) problems.push('pk must be SESSION#<session_id>');
  if (typeof input?.sk !== 'string' || !input.sk.startsWith('TXMA#EVENT_NAME#')) problems.push('sk must be TXMA#EVENT_NAME#<name>#TIMESTAMP#<timestamp>');
  if (input?.event === null || typeof input?.event !== 'object' || Array.isArray(input.event)) problems.push('event must be a JSON object');
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`invalid TxMA event: ${problems.join('; ')}`, NON_RETRYABLE_INPUT_ERROR);
}
