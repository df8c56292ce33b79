import { randomBytes } from 'node:crypto';

/** The `GET /events` bearer token of a `cascade dev` run, and whether this run made it up. */
export interface DevEventsToken {
  readonly token: string;
  /** True when the operator set none and this run made one up (then, and only then, it is printed). */
  readonly madeUp: boolean;
}

/**
 * `GET /events` is never open without a token: on the dev stack the operator's
 * `CASCADE_EVENTS_API_TOKEN` is used, else one is made up for this run. Empty counts as unset.
 */
export function resolveDevEventsToken(configured: string | undefined, makeUp: () => string = () => randomBytes(24).toString('base64url')): DevEventsToken {
  return configured ? { token: configured, madeUp: false } : { token: makeUp(), madeUp: true };
}

/**
 * The "TxMA events" line `cascade dev` prints: a token the operator set is
 * theirs and never echoed (the line names the variable instead); one made up
 * for this run is printed so it can be used.
 */
export function toDevEventsCurlLine(events: DevEventsToken, httpUrl: string): string {
  const bearer = events.madeUp ? events.token : '$CASCADE_EVENTS_API_TOKEN';
  return `  TxMA events:      curl -H 'Authorization: Bearer ${bearer}' '${httpUrl}/events?pk=SESSION%23<session_id>'`;
}
