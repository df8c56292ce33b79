/*
 * Types and pure helpers of the email-archive route, shared by the parser, the
 * workflow and the activity. Workflow code imports this file: no Node
 * built-ins, no side effects.
 */

/** `metadata.source` of every archived email. */
export const EMAIL_ARCHIVE_SOURCE = 'email-validation-service';

/** Longest sanitized sender local part in a key. */
export const MAX_KEY_LOCAL_PART = 64;

/** The four fields of an email-validation message, as received. */
export interface EmailData {
  readonly email_subject: string;
  readonly email_sender: string;
  /** The producer's timestamp of the email, kept as sent (string or number). */
  readonly email_timestream: string | number;
  readonly email_content: string;
}

/** A validated message, with the SQS delivery that started its cascade (the key derives from it). */
export interface EmailArchiveEvent {
  /** SQS MessageId of the delivery that started the cascade. */
  readonly messageId: string;
  /** SentTimestamp of that delivery, ISO 8601 (UTC). */
  readonly sentAt: string;
  readonly email: EmailData;
}

/** What an email-archive cascade stored. */
export interface EmailArchiveResult {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
  /** Base64 SHA-256 of the object body, as S3 checked it. */
  readonly sha256: string;
  /** False when an earlier attempt had already written the object (nothing was overwritten). */
  readonly created: boolean;
}

/**
 * A sender's local part made safe for an S3 key: lower case, only
 * `a-z 0-9 . _ -` (anything else becomes `_`), no empty or dot-only segment
 * (so `..` can never appear), at most {@link MAX_KEY_LOCAL_PART} characters.
 */
export function toKeyLocalPart(sender: string): string {
  const at = sender.lastIndexOf('@');
  const local = (at < 0 ? sender : sender.slice(0, at)).toLowerCase();
  const safe = local
    .replace(/[^a-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, MAX_KEY_LOCAL_PART)
    .replace(/\.+$/, '');
  return safe.length > 0 ? safe : 'unknown';
}

/**
 * `<prefix>/YYYY/MM/DD/<sender local part>/<message_id>_<HHMMSS>.json`, the
 * date and time of `sentAt` in UTC. Derived from the message only, so every
 * attempt of a cascade writes the same key.
 */
export function toEmailArchiveKey(prefix: string, event: Pick<EmailArchiveEvent, 'messageId' | 'sentAt'> & { readonly email: Pick<EmailData, 'email_sender'> }): string {
  const sentAt = new Date(event.sentAt);
  if (Number.isNaN(sentAt.getTime())) throw new RangeError(`sentAt is not a date: ${JSON.stringify(event.sentAt)}`);
  const iso = sentAt.toISOString();
  const [year, month, day] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const time = `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const messageId = event.messageId.replace(/[^A-Za-z0-9-]/g, '_');
  const path = [year, month, day, toKeyLocalPart(event.email.email_sender), `${messageId}_${time}.json`].join('/');
  const cleanPrefix = prefix.replace(/^\/+|\/+$/g, '');
  return cleanPrefix.length > 0 ? `${cleanPrefix}/${path}` : path;
}
