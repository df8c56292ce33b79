import { randomBytes } from 'node:crypto';
import type { Prisma } from '../db/client';
import type { DemoScenario } from './demo-scenario';

const ISSUER = 'api.accounts.firefox.com';

/**
 * A realistic mix of FxA notifications: valid, duplicate, out-of-order,
 * SNS-wrapped, unknown type, malformed. Users are fresh each run, so runs
 * never collide.
 */
export function createAccountDemoScenario(now = Date.now()): DemoScenario {
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
  const users = [user('alice', 10n, BigInt(now - 3_600_000)), user('alice', 20n), user('bob', 5n), user('carol', 7n)];
  const emails = ['alice', 'bob', 'carol', 'dave'].map(email);
  return {
    route: 'account-events',
    async seed({ prisma }) {
      await prisma.user.createMany({ data: users });
    },
    async effects({ prisma }) {
      const rows = await prisma.user.findMany({ where: { email: { in: emails } }, orderBy: [{ email: 'asc' }, { uid: 'asc' }] });
      return {
        title: 'Users after the cascades (generation 9223372036854775807 = retired)',
        header: ['uid', 'email', 'generation', 'replaced_at'],
        rows: rows.map((r) => [String(r.uid), r.email, String(r.generation), r.replacedAt === null ? '' : String(r.replacedAt)]),
      };
    },
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
