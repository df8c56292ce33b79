/** Firefox Accounts notification types the account-events route acts on. */
export const ACCOUNT_EVENT_TYPES = ['delete', 'reset', 'passwordChange'] as const;

/** One of {@link ACCOUNT_EVENT_TYPES}. */
export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

/** A validated FxA notification, as the account-events cascade receives it. */
export type AccountEvent =
  | { readonly type: 'delete'; readonly email: string; readonly ts?: number }
  | { readonly type: 'reset' | 'passwordChange'; readonly email: string; readonly generation: number; readonly ts?: number };

/** What an account-events cascade did. */
export interface AccountEventResult {
  readonly type: AccountEventType;
  /** `retired`: active rows tombstoned; `generation-raised`; `no-change`: unknown user or generation already newer. */
  readonly outcome: 'retired' | 'generation-raised' | 'no-change';
  readonly rowsAffected: number;
}

/** `generation` stored for a retired user (the tokenserver's tombstone, max bigint). */
export const RETIRED_GENERATION = 9223372036854775807n;
