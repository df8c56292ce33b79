import { randomBytes } from 'node:crypto';
import type { Prisma } from '../db/client';

/** One message of the demo, with what it is meant to show. */
export interface DemoMessage {
  readonly label: string;
  readonly body: string;
}

/** Users and messages for one demo run; uids are fresh each run so runs never collide. */
export interface AccountDemoScenario {
  readonly users: Prisma.UserCreateManyInput[];
  readonly emails: string[];
  readonly messages: DemoMessage[];
}

const ISSUER = 'api.accounts.firefox.com';

/** A realistic mix: valid, duplicate, out-of-order, SNS-wrapped, unknown type, malformed. */
export function createAccountDemoScenario(now = Date.now()): AccountDemoScenario {
  const run = randomBytes(3).toString('hex');
  const uid = (name: string) => `${name}${run}`;
  const email = (name: string) => `${uid(name)}@${ISSUER}`;
  const user = (name: string, generation: bigint, replacedAt: bigint | null = null): Prisma.UserCreateManyInput => ({
    email: email(name),
    generation,
    clientState: randomBytes(8).toString('hex'),
    createdAt: BigInt(now - 86_400_000),
    replacedAt,
  });
  const json = (value: unknown) => JSON.stringify(value);
  const ts = now / 1000;
  const deleteAlice = json({ event: 'delete', uid: uid('alice'), iss: ISSUER, ts });
  return {
    users: [
      user('alice', 10n, BigInt(now - 3_600_000)),
      user('alice', 20n),
      user('bob', 5n),
      user('carol', 7n),
    ],
    emails: ['alice', 'bob', 'carol', 'dave'].map(email),
    messages: [
      { label: 'delete alice', body: deleteAlice },
      { label: 'delete alice again (re-sent)', body: deleteAlice },
      { label: 'reset bob, generation 100', body: json({ event: 'reset', uid: uid('bob'), iss: ISSUER, generation: 100, ts }) },
      { label: 'passwordChange bob, generation 50 (older)', body: json({ event: 'passwordChange', uid: uid('bob'), iss: ISSUER, generation: 50, ts: ts - 60 }) },
      {
        label: 'passwordChange carol via SNS',
        body: json({ Type: 'Notification', MessageId: randomBytes(8).toString('hex'), TopicArn: 'arn:aws:sns:us-east-1:000000000000:fxa', Message: json({ event: 'passwordChange', uid: email('carol'), generation: 30, ts }) }),
      },
      { label: 'delete dave (unknown user)', body: json({ event: 'delete', uid: uid('dave'), iss: ISSUER, ts }) },
      { label: 'subscription:update (not handled)', body: json({ event: 'subscription:update', uid: uid('bob'), iss: ISSUER, ts }) },
      { label: 'garbage', body: 'this is not json {' },
      { label: 'reset without generation', body: json({ event: 'reset', uid: uid('carol'), iss: ISSUER, ts }) },
      { label: 'delete with legacy uid lacking @', body: json({ event: 'delete', uid: uid('erin'), ts }) },
    ],
  };
}
