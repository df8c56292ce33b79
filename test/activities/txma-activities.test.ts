import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { type PurgeExpiredInput, createTxmaActivities } from '../../activities/txma-activities';
import { NON_RETRYABLE_INPUT_ERROR } from '../../src/shared/cascade-input';
import type { TxmaEventRecord, TxmaStoreResult } from '../../src/shared/txma';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

const mockEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

describe('TxMA activities (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: MigratedDatabase;

  before(async () => {
    db = await createMigratedDatabase('txma-activities');
  });
  after(async () => {
    await db?.drop();
  });

  const record = (overrides: Partial<TxmaEventRecord> = {}): TxmaEventRecord => ({
    pk: `SESSION#${randomUUID()}`,
    sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1764000000',
    event: { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, nested: { list: [1, 'two', null], quote: "it's" } },
    ...overrides,
  });
  const store = (input: TxmaEventRecord, ttlSeconds = 3600): Promise<TxmaStoreResult> =>
    mockEnvironment().run((i: TxmaEventRecord) => createTxmaActivities({ db: db.prisma, ttlSeconds }).storeTxmaEvent(i), input);
  const purge = (batchSize: number): Promise<{ deleted: number }> =>
    mockEnvironment().run((i: PurgeExpiredInput) => createTxmaActivities({ db: db.prisma, ttlSeconds: 1 }).purgeExpiredTxmaEvents(i), { batchSize });

  it('when an event is stored, then one row holds the body under its keys and expires after the TTL', async () => {
    const input = record();
    const before = Date.now();
    const result = await store(input, 600);
    const rows = await db.prisma.txmaEvent.findMany({ where: { pk: input.pk } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.sk, input.sk);
    assert.deepEqual(rows[0]?.event, input.event);
    const expiresAt = rows[0]?.expiresAt.getTime() ?? 0;
    assert.ok(expiresAt >= before + 599_000 && expiresAt <= Date.now() + 601_000, `expires ${new Date(expiresAt).toISOString()}`);
    assert.equal(result.expiresAt, rows[0]?.expiresAt.toISOString());
  });

  it('when the same keys are stored again (redelivery), then the row is updated, never duplicated', async () => {
    const input = record();
    const first = await store(input, 60);
    const second = await store({ ...input, event: { ...input.event, retried: true } }, 120);
    const rows = await db.prisma.txmaEvent.findMany({ where: { pk: input.pk } });
    assert.equal(rows.length, 1);
    assert.equal((rows[0]?.event as { retried?: boolean }).retried, true);
    assert.ok(Date.parse(second.expiresAt) > Date.parse(first.expiresAt), 'the lifetime starts again');
  });

  it('when expired rows exist, then the purge deletes them in batches and keeps the live ones', async () => {
    const pk = `SESSION#${randomUUID()}`;
    await db.prisma.$executeRaw`INSERT INTO txma_events (pk, sk, event, expires_at)
      SELECT ${pk}, 'TXMA#EVENT_NAME#X#TIMESTAMP#' || n, '{}'::jsonb, now() - interval '1 minute' FROM generate_series(1, 25) AS n`;
    const live = record({ pk });
    await store(live, 3600);
    const rounds: number[] = [];
    for (;;) {
      const { deleted } = await purge(10);
      rounds.push(deleted);
      if (deleted < 10) break;
    }
    assert.deepEqual(rounds, [10, 10, 5], 'this database has exactly 25 expired rows');
    const left = await db.prisma.txmaEvent.findMany({ where: { pk } });
    assert.deepEqual(left.map((row) => row.sk), [live.sk]);
  });

  it('when the input is malformed, then it fails as invalid input', async () => {
    await assert.rejects(store({ pk: 'USER#1', sk: 'x', event: [] as unknown as TxmaEventRecord['event'] }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, NON_RETRYABLE_INPUT_ERROR);
      assert.match(error.message, /pk must be .*; sk must be .*; event must be a JSON object/);
      return true;
    });
    await assert.rejects(purge(0), (error: unknown) => error instanceof ApplicationFailure && error.type === NON_RETRYABLE_INPUT_ERROR);
  });
});
