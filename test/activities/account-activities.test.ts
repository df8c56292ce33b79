import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createAccountActivities } from '../../activities/account-activities';
import { RETIRED_GENERATION } from '../../src/shared/account-event';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

describe('account activities (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: MigratedDatabase;
  const NOW = 1_800_000_000_000;

  before(async () => {
    db = await createMigratedDatabase('account_activities');
  });
  after(async () => {
    await db?.drop();
  });

  const activities = () => createAccountActivities({ db: db.prisma, now: () => NOW });
  const freshEmail = () => `${randomUUID()}@api.accounts.firefox.com`;

  async function seed(email: string, rows: Array<{ generation: bigint; replacedAt?: bigint; service?: string }>) {
    for (const row of rows) {
      await db.prisma.user.create({
        data: { email, generation: row.generation, clientState: 'aaaa', createdAt: 1n, replacedAt: row.replacedAt ?? null, ...(row.service ? { service: row.service } : {}) },
      });
    }
  }

  const rowsOf = (email: string) => db.prisma.user.findMany({ where: { email }, orderBy: { uid: 'asc' } });

  it('when a user with several rows is retired, then every active row is tombstoned and history is untouched', async () => {
    const email = freshEmail();
    await seed(email, [{ generation: 1n, replacedAt: 5n }, { generation: 7n }, { generation: 3n, service: 'sync-1.1' }]);
    const other = freshEmail();
    await seed(other, [{ generation: 2n }]);

    const result = await activities().retireUser({ email });

    assert.deepEqual(result, { rowsAffected: 2 });
    const rows = await rowsOf(email);
    assert.deepEqual(
      rows.map((r) => [r.generation, r.replacedAt]),
      [
        [1n, 5n],
        [RETIRED_GENERATION, BigInt(NOW)],
        [RETIRED_GENERATION, BigInt(NOW)],
      ],
    );
    assert.deepEqual((await rowsOf(other)).map((r) => [r.generation, r.replacedAt]), [[2n, null]]);
  });

  it('when a retire is retried, then nothing changes the second time', async () => {
    const email = freshEmail();
    await seed(email, [{ generation: 7n }]);
    await activities().retireUser({ email });
    const later = createAccountActivities({ db: db.prisma, now: () => NOW + 1000 });
    assert.deepEqual(await later.retireUser({ email }), { rowsAffected: 0 });
    assert.equal((await rowsOf(email))[0]?.replacedAt, BigInt(NOW));
  });

  it('when the user is unknown, then retire and raise succeed with no rows', async () => {
    const email = freshEmail();
    assert.deepEqual(await activities().retireUser({ email }), { rowsAffected: 0 });
    assert.deepEqual(await activities().raiseGeneration({ email, generation: 10 }), { rowsAffected: 0 });
    assert.equal((await rowsOf(email)).length, 0);
  });

  it('when a generation G arrives, then active rows get G-1 and replaced rows are untouched', async () => {
    const email = freshEmail();
    await seed(email, [{ generation: 1n, replacedAt: 5n }, { generation: 10n }]);
    assert.deepEqual(await activities().raiseGeneration({ email, generation: 100 }), { rowsAffected: 1 });
    assert.deepEqual((await rowsOf(email)).map((r) => r.generation), [1n, 99n]);
  });

  it('when generations arrive out of order, then the generation never moves backwards', async () => {
    const email = freshEmail();
    await seed(email, [{ generation: 10n }]);
    await activities().raiseGeneration({ email, generation: 100 });
    assert.deepEqual(await activities().raiseGeneration({ email, generation: 50 }), { rowsAffected: 0 });
    assert.deepEqual(await activities().raiseGeneration({ email, generation: 100 }), { rowsAffected: 1 }, 'same value again is a no-op update of equal value');
    assert.deepEqual((await rowsOf(email)).map((r) => r.generation), [99n]);
  });

  it('when a user is retired, then a later reset cannot revive the generation', async () => {
    const email = freshEmail();
    await seed(email, [{ generation: 10n }]);
    await activities().retireUser({ email });
    assert.deepEqual(await activities().raiseGeneration({ email, generation: 1_000_000 }), { rowsAffected: 0 });
    assert.equal((await rowsOf(email))[0]?.generation, RETIRED_GENERATION);
  });

  it('when the input is invalid, then a non-retryable failure is thrown', async () => {
    await assert.rejects(activities().raiseGeneration({ email: freshEmail(), generation: 0 }), (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable);
    await assert.rejects(activities().retireUser({ email: 'no-at-sign' }), (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable);
  });
});
