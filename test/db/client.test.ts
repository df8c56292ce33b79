import assert from 'node:assert/strict';
import { createPrismaClient, Prisma, type PrismaClient } from '../../src/db/client';
import { migrateDatabase } from '../../src/db/migrate';
import { createCapturingLogger, createTestDatabase, withClient, type TestDatabase } from './test-database';

describe('db/client: createPrismaClient', function () {
  let db: TestDatabase;
  let prisma: PrismaClient;

  before(async function () {
    db = await createTestDatabase('client');
    await migrateDatabase({ databaseUrl: db.url, logger: createCapturingLogger().logger });
    prisma = createPrismaClient(db.url);
  });

  after(async function () {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('when a user is created, then it is found again with its BigInt fields intact and the column defaults applied', async function () {
    const createdAt = BigInt(Date.now());
    const beyondDoublePrecision = 2n ** 62n + 1n;

    const created = await prisma.user.create({
      data: {
        email: 'someone@example.com',
        generation: beyondDoublePrecision,
        keysChangedAt: createdAt - 1000n,
        clientState: 'aaaa',
        createdAt,
      },
    });
    assert.equal(typeof created.uid, 'bigint');
    assert.equal(created.service, 'sync-1.5', 'database default of service');
    assert.equal(created.replacedAt, null);

    const found = await prisma.user.findUnique({ where: { uid: created.uid } });
    assert.deepEqual(found, {
      uid: created.uid,
      service: 'sync-1.5',
      email: 'someone@example.com',
      generation: beyondDoublePrecision,
      keysChangedAt: createdAt - 1000n,
      clientState: 'aaaa',
      createdAt,
      replacedAt: null,
    });

    // The row really is in the contract table and columns.
    const row = await withClient(db.url, async (client) => {
      const { rows } = await client.query<{ generation: string; created_at: string; service: string }>(
        'SELECT generation::text, created_at::text, service FROM users WHERE uid = $1',
        [created.uid.toString()],
      );
      return rows[0];
    });
    assert.deepEqual(row, { generation: beyondDoublePrecision.toString(), created_at: createdAt.toString(), service: 'sync-1.5' });
  });

  it('when the active rows of an email are retired, then only rows with replacedAt null change', async function () {
    const email = 'history@example.com';
    await prisma.user.createMany({
      data: [
        { email, generation: 1n, clientState: 'old', createdAt: 1n, replacedAt: 2n },
        { email, generation: 2n, clientState: 'cur', createdAt: 2n },
      ],
    });

    const retired = await prisma.user.updateMany({ where: { email, replacedAt: null }, data: { replacedAt: 3n } });

    assert.equal(retired.count, 1);
    const rows = await prisma.user.findMany({ where: { email }, orderBy: { createdAt: 'asc' } });
    assert.deepEqual(
      rows.map((user) => user.replacedAt),
      [2n, 3n],
    );
  });

  it('when a query fails in the database, then a Prisma known-request error with a code reaches the caller', async function () {
    const existing = await prisma.user.create({ data: { email: 'dup@example.com', generation: 0n, clientState: '', createdAt: 0n } });

    await assert.rejects(
      prisma.user.create({ data: { uid: existing.uid, email: 'dup@example.com', generation: 0n, clientState: '', createdAt: 0n } }),
      (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002',
    );
  });

  it('when the URL names a schema, then the client queries that schema', async function () {
    const url = new URL(db.url);
    url.searchParams.set('schema', 'tenant_b');
    await migrateDatabase({ databaseUrl: url.toString(), logger: createCapturingLogger().logger });
    const scoped = createPrismaClient(url.toString());
    try {
      await scoped.user.create({ data: { email: 'scoped@example.com', generation: 0n, clientState: '', createdAt: 0n } });
      const count = await withClient(db.url, async (client) => {
        const { rows } = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM tenant_b.users`);
        return rows[0]?.count;
      });
      assert.equal(count, '1');
      assert.equal(await prisma.user.count({ where: { email: 'scoped@example.com' } }), 0, 'not in the default schema');
    } finally {
      await scoped.$disconnect();
    }
  });

  it('when the database URL is not a URL, then createPrismaClient throws a TypeError without echoing it', function () {
    assert.throws(
      () => createPrismaClient('not a url with password hunter2'),
      (error: unknown) => error instanceof TypeError && !error.message.includes('hunter2'),
    );
  });
});
