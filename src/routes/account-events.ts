import { z } from 'zod';
import type { CascadeConfig } from '../config';
import { ACCOUNT_EVENT_TYPES, type AccountEvent, type AccountEventType } from '../shared/account-event';
import { toKeyedEventKey } from './event-key';
import type { ParseOutcome, RouteDefinition } from './route';
import { toIssueList } from '../shared/parse-helpers';

/** RFC 5321: a forward path holds at most 256 octets, so an address has at most 254 characters. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * A user identifier: non-empty and free of U+FFFD, the replacement character
 * that stands where the bytes sent were not valid UTF-8 — such an identifier
 * names nobody, and running the event would silently miss the real user.
 */
const nonEmpty = z
  .string()
  .trim()
  .min(1, 'must be a non-empty string')
  .refine((value) => !value.includes('\uFFFD'), 'contains U+FFFD (bytes that were not valid UTF-8), so it cannot name a user');

const notificationSchema = z.object({
  event: z.string({ message: 'is required and must be a string' }),
  uid: nonEmpty.optional(),
  iss: nonEmpty.optional(),
  generation: z.unknown().optional(),
  ts: z.unknown().optional(),
});

const generationSchema = z
  .number({ message: 'must be an integer' })
  .min(1, 'must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'is too large')
  .int('must be an integer');

const tsSchema = z.number({ message: 'must be a number (seconds since the epoch)' }).finite().nonnegative();

/**
 * Parses a Firefox Accounts "attached service" notification for the Sync
 * tokenserver: `delete`, `reset` and `passwordChange` are handled, any other
 * event type is ignored. The user is `uid@iss`, or a legacy `uid` that is an
 * email itself. The event key is the HMAC-SHA256 of the canonical event under
 * `eventKeySecret` (plain SHA-256 without one; see {@link toAccountEventKey}).
 */
export function parseAccountEvent(body: unknown, eventKeySecret?: string): ParseOutcome<AccountEvent> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'account event must be a JSON object' };
  }
  const parsed = notificationSchema.safeParse(body);
  if (!parsed.success) return { kind: 'rejected', reason: toIssueList(parsed.error) };
  const message = parsed.data;
  if (!isAccountEventType(message.event)) {
    return { kind: 'ignored', reason: `event type "${message.event}" is not handled (handled: ${ACCOUNT_EVENT_TYPES.join(', ')})` };
  }
  if (message.uid === undefined) return { kind: 'rejected', reason: 'uid: is required' };
  if (message.iss === undefined && !message.uid.includes('@')) {
    return { kind: 'rejected', reason: 'uid: has no "@" and there is no iss, so the user cannot be identified' };
  }
  const email = message.iss === undefined ? message.uid : `${message.uid}@${message.iss}`;
  if (email.length > MAX_EMAIL_LENGTH) {
    return { kind: 'rejected', reason: `uid: the user's email would be ${email.length} characters; an email address has at most ${MAX_EMAIL_LENGTH} (RFC 5321)` };
  }

  let ts: number | undefined;
  if (message.ts !== undefined) {
    const checked = tsSchema.safeParse(message.ts);
    if (!checked.success) return { kind: 'rejected', reason: `ts: ${checked.error.issues[0]?.message ?? 'invalid'}` };
    ts = checked.data;
  }

  let event: AccountEvent;
  if (message.event === 'delete') {
    event = { type: 'delete', email, ...(ts === undefined ? {} : { ts }) };
  } else {
    if (message.generation === undefined) return { kind: 'rejected', reason: `generation: is required for ${message.event} events` };
    const generation = generationSchema.safeParse(message.generation);
    if (!generation.success) return { kind: 'rejected', reason: `generation: ${generation.error.issues[0]?.message ?? 'invalid'}` };
    event = { type: message.event, email, generation: generation.data, ...(ts === undefined ? {} : { ts }) };
  }
  return { kind: 'event', event, eventKey: toAccountEventKey(event, eventKeySecret) };
}

function isAccountEventType(value: string): value is AccountEventType {
  return (ACCOUNT_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The event key (workflow ID suffix) of an account event: the HMAC-SHA256 of
 * its canonical JSON under `secret` (`CASCADE_EVENT_KEY_SECRET`), so a guessed
 * email cannot be confirmed against a workflow ID; without a secret, the plain
 * SHA-256 (as before the secret existed).
 */
export function toAccountEventKey(event: AccountEvent, secret: string | undefined): string {
  return toKeyedEventKey(event, secret);
}

/** The `account-events` route: FxA notifications for the Sync tokenserver, keyed with `config.accountEvents.eventKeySecret`. */
export function createAccountEventsRoute(config: Pick<CascadeConfig, 'accountEvents'>): RouteDefinition<AccountEvent, 'account-events'> {
  const secret = config.accountEvents.eventKeySecret;
  return {
    name: 'account-events',
    workflowType: 'accountEventsWorkflow',
    parse: (body) => parseAccountEvent(body, secret),
  };
}
