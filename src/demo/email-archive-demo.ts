import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DemoScenario } from './demo-scenario';

/** Two emails (one with an awkward sender), a re-send, and invalid ones; shows the S3 objects written. */
export function createEmailArchiveDemoScenario(now = new Date()): DemoScenario {
  const run = randomBytes(3).toString('hex');
  const email = (sender: string, subject: string) =>
    JSON.stringify({ email_subject: subject, email_sender: sender, email_timestream: now.toISOString(), email_content: `Hello from the Cascade demo (${run}).` });
  const first = email(`alice.${run}@example.com`, 'Quarterly report');
  return {
    route: 'email-archive',
    async seed() {},
    async effects({ s3, config }) {
      const response = await s3.send(new ListObjectsV2Command({ Bucket: config.emailArchive.bucket, Prefix: `${config.emailArchive.keyPrefix}/` }));
      const objects = (response.Contents ?? []).filter((o) => o.Key?.includes(run));
      return {
        title: `S3 objects of the demo in ${config.emailArchive.bucket ?? '(no bucket)'}`,
        header: ['key', 'bytes'],
        rows: objects.map((o) => [o.Key ?? '', String(o.Size ?? 0)]),
      };
    },
    messages: [
      { label: 'email from alice', body: first },
      { label: 'same email again (re-sent)', body: first },
      { label: 'email from an awkward sender', body: email(`Bob.Smith+News.${run}@Example.COM`, 'Re: ../../etc/passwd') },
      { label: 'sender is not an email address', body: email('not-an-address', 'Hi') },
      { label: 'missing subject', body: JSON.stringify({ email_sender: `carol.${run}@example.com`, email_timestream: now.toISOString(), email_content: 'x' }) },
    ],
  };
}
