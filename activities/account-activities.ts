import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client';
import { RETIRED_GENERATION } from '../src/shared/account-event';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';

/** What the account activities need: the `users` table. */
export interface AccountActivityDeps {
  readonly db: Pick<PrismaClient, 'user'>;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** Input of {@link AccountActivities.retireUser}. */
export interface RetireUserInput {
  readonly email: string;
}

/** Input of {@link AccountActivities.raiseGeneration}. */
export interface RaiseGenerationInput {
  readonly email: string;
  /** The generation from the FxA event; the stored value becomes `generation - 1`. */
  readonly generation: number;
}

/** Rows an activity changed. */
export interface RowsAffected {
  readonly rowsAffected: number;
}

/**
 * Account activities with the Sync tokenserver's semantics. Both are
 * idempotent conditional updates: a retry after success changes nothing.
 */
export function createAccountActivities(deps: AccountActivityDeps) {
  const now = deps.now ?? Date.now;
  return {
    /**
     * Retires every active row of the user: `replaced_at = now`, generation set
     * to the tombstone. An unknown user (or one already retired) changes nothing.
     */
    async retireUser(input: RetireUserInput): Promise<RowsAffected> {
      assertEmail(input.email);
      const { count } = await deps.db.user.updateMany({
        where: { email: input.email, replacedAt: null },
        data: { replacedAt: BigInt(now()), generation: RETIRED_GENERATION },
      });
      return { rowsAffected: count };
    },

    /**
     * Raises the generation high-water mark of the user's active rows to
     * `generation - 1`, only where it is lower (never moves backwards, so
     * out-of-order events are harmless).
     */
    async raiseGeneration(input: RaiseGenerationInput): Promise<RowsAffected> {
      assertEmail(input.email);
      if (!Number.isSafeInteger(input.generation) || input.generation < 1) {
        throw ApplicationFailure.nonRetryable(`generation must be a positive integer, got ${String(input.generation)}`, NON_RETRYABLE_INPUT_ERROR);
      }
      const target = BigInt(input.generation) - 1n;
      const { count } = await deps.db.user.updateMany({
        where: { email: input.email, replacedAt: null, generation: { lte: target } },
        data: { generation: target },
      });
      return { rowsAffected: count };
    },
  };
}

/** The account activities, as registered with the worker. */
export type AccountActivities = ReturnType<typeof createAccountActivities>;

function assertEmail(email: string): void {
  if (typeof email !== 'string' || !email.includes('@')) {
    throw ApplicationFailure.nonRetryable('email must identify the user as uid@issuer', NON_RETRYABLE_INPUT_ERROR);
  }
}
