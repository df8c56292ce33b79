import { proxyActivities } from '@temporalio/workflow';
import type { EmailArchiveActivities } from '../activities/email-archive-activities';
import type { CascadeInput } from '../src/shared/cascade-input';
import type { EmailArchiveEvent, EmailArchiveResult } from '../src/shared/email-archive';
import { toActivityOptions } from './activity-options';
import { runStep } from './cascade-failure';

/**
 * The email-archive cascade: one activity stores the message as a JSON object
 * in S3 under a key derived from its SQS delivery (so every attempt writes the
 * same key). A missing bucket or denied access fails it at once with the reason.
 */
export async function emailArchiveWorkflow(input: CascadeInput<EmailArchiveEvent>): Promise<EmailArchiveResult> {
  const { archiveEmail } = proxyActivities<EmailArchiveActivities>(toActivityOptions(input.activity));
  return runStep('archiveEmail', () => archiveEmail(input.event));
}
