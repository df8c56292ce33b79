import { z } from 'zod';
import type { EmailArchiveEvent, EmailData } from '../shared/email-archive';
import { toDigestEventKey } from './event-key';
import type { MessageContext, ParseOutcome, RouteDefinition } from './route';
import { toIssueList } from '../shared/parse-helpers';

const requiredString = z.string({ message: 'is required and must be a string' });

const emailSchema = z.object({
  email_subject: requiredString,
  email_sender: requiredString.trim().pipe(z.email({ message: 'must be an email address' })),
  email_timestream: z.union([requiredString.trim().min(1, 'must not be empty'), z.number().finite()], {
    message: 'is required and must be a timestamp (string or number)',
  }),
  email_content: requiredString,
});

/**
 * Parses an email-validation message `{email_subject, email_sender,
 * email_timestream, email_content}` (other fields are dropped). The event
 * carries the SQS delivery (MessageId, SentTimestamp) that the S3 key is
 * derived from; the event key is the digest of the four fields, so a re-sent
 * email is a duplicate and is stored once. Never throws.
 */
export function parseEmailArchiveMessage(body: unknown, message: MessageContext): ParseOutcome<EmailArchiveEvent> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'email message must be a JSON object {email_subject, email_sender, email_timestream, email_content}' };
  }
  const parsed = emailSchema.safeParse(body);
  if (!parsed.success) {
    return { kind: 'rejected', reason: toIssueList(parsed.error) };
  }
  const email: EmailData = parsed.data;
  return {
    kind: 'event',
    event: { messageId: message.messageId, sentAt: message.sentAt.toISOString(), email },
    eventKey: toDigestEventKey(email),
  };
}

/** The `email-archive` route: each email-validation message stored as one JSON object in S3. */
export const emailArchiveRoute: RouteDefinition<EmailArchiveEvent, 'email-archive'> = {
  name: 'email-archive',
  workflowType: 'emailArchiveWorkflow',
  parse: parseEmailArchiveMessage,
};
