import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  MIGRATION_ADVISORY_LOCK_KEY,
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  migrateDatabase,
} from '../../src/db/migrate';
import {
  copyMigrationsDir,
  createCapturingLogger,
  createTestDatabase,
  projectMigrationsDir,
  withClient,
  type TestDatabase,
} from './test-database';

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
  logs: string | null;
}

function projectMigrationNames(): string[] {
  const dir = projectMigrationsDir();
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function fileChecksum(dir: string, name: string): string {
  return createHash('sha256').update(readFileSync(path.join(dir, name, 'migration.sql'))).digest('hex');
}

async function migrationRows(databaseUrl: string): Promise<MigrationRow[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');
    return rows;
  });
}

async function tableExists(databaseUrl: string, table: string): Promise<boolean> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
    return rows[0]?.exists === true;
  });
}

/** Adds `<later name>_<suffix>/migration.sql` so it sorts after every existing migration. */
function addMigration(dir: string, suffix: string, sql: string): string {
  const name = `29991231235959_${suffix}`;
  mkdirSync(path.join(dir, name));
  writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  return name;
}

describe('db/migrate: migrateDatabase', function () {
  let db: TestDatabase;

  beforeEach(async function () {
    db = await createTestDatabase('migrate');
  });

  afterEach(async function () {
    await db.drop();
  });

  it('when run on an empty database twice, then the first run applies every migration and the second none', async function () {
    const names = projectMigrationNames();
    assert.ok(names.length > 0, 'the project has at least one migration');
    const { logger, lines } = createCapturingLogger();

    const first = await migrateDatabase({ databaseUrl: db.url, logger });
    assert.deepEqual(first, { applied: names, alreadyApplied: [] });
    assert.deepEqual(
      lines.filter((line) => line.msg === 'applied migration').map((line) => line.migration),
      names,
      'one log line per applied migration',
    );

    const second = await migrateDatabase({ databaseUrl: db.url, logger });
    assert.deepEqual(second, { applied: [], alreadyApplied: names });

    assert.equal(await tableExists(db.url, 'users'), true);
    const rows = await migrationRows(db.url);
    assert.deepEqual(
      rows.map((row) => row.migration_name),
      names,
    );
    for (const row of rows) {
      assert.equal(row.checksum, fileChecksum(projectMigrationsDir(), row.migration_name), `checksum of ${row.migration_name}`);
      assert.match(row.checksum, /^[0-9a-f]{64}$/);
      assert.ok(row.finished_at instanceof Date, `${row.migration_name} finished_at is set`);
      assert.ok(row.finished_at.getTime() >= row.started_at.getTime());
      assert.equal(row.rolled_back_at, null);
      assert.equal(row.applied_steps_count, 1);
      assert.equal(row.logs, null);
      assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('when _prisma_migrations is created, then it has exactly the columns Prisma Migrate creates', async function () {
    await migrateDatabase({ databaseUrl: db.url, logger: createCapturingLogger().logger });
    const columns = await withClient(db.url, async (client) => {
      const { rows } = await client.query<{
        column_name: string;
        type: string;
        not_null: boolean;
        default_expr: string | null;
      }>(
        `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                pg_get_expr(d.adbin, d.adrelid) AS default_expr
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = '_prisma_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
      );
      return rows;
    });
    assert.deepEqual(columns, [
      { column_name: 'id', type: 'character varying(36)', not_null: true, default_expr: null },
      { column_name: 'checksum', type: 'character varying(64)', not_null: true, default_expr: null },
      { column_name: 'finished_at', type: 'timestamp with time zone', not_null: false, default_expr: null },
      { column_name: 'migration_name', type: 'character varying(255)', not_null: true, default_expr: null },
      { column_name: 'logs', type: 'text', not_null: false, default_expr: null },
      { column_name: 'rolled_back_at', type: 'timestamp with time zone', not_null: false, default_expr: null },
      { column_name: 'started_at', type: 'timestamp with time zone', not_null: true, default_expr: 'now()' },
      { column_name: 'applied_steps_count', type: 'integer', not_null: true, default_expr: '0' },
    ]);
    const primaryKey = await withClient(db.url, async (client) => {
      const { rows } = await client.query<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'`,
      );
      return rows.map((row) => row.def);
    });
    assert.deepEqual(primaryKey, ['PRIMARY KEY (id)']);
  });

  it('when run with dryRun, then it lists what would be applied and creates nothing, before and after a real run', async function () {
    const names = projectMigrationNames();
    const { logger } = createCapturingLogger();

    const before = await migrateDatabase({ databaseUrl: db.url, logger, dryRun: true });
    assert.deepEqual(before, { applied: [], alreadyApplied: [], pending: names });
    assert.equal(await tableExists(db.url, '_prisma_migrations'), false, 'a dry run creates no bookkeeping table');
    assert.equal(await tableExists(db.url, 'users'), false);

    await migrateDatabase({ databaseUrl: db.url, logger });
    const after = await migrateDatabase({ databaseUrl: db.url, logger, dryRun: true });
    assert.deepEqual(after, { applied: [], alreadyApplied: names, pending: [] });
  });

  it('when two runs start at once, then each migration is applied exactly once', async function () {
    const names = projectMigrationNames();
    const logger = createCapturingLogger().logger;

    const results = await Promise.all([
      migrateDatabase({ databaseUrl: db.url, logger }),
      migrateDatabase({ databaseUrl: db.url, logger }),
    ]);

    assert.deepEqual(
      results.flatMap((result) => result.applied).sort(),
      names,
      'every migration applied by exactly one of the runs',
    );
    const winner = results.find((result) => result.applied.length > 0);
    const other = results.find((result) => result !== winner);
    assert.deepEqual(winner?.applied, names);
    assert.deepEqual(other, { applied: [], alreadyApplied: names });
    const rows = await migrationRows(db.url);
    assert.deepEqual(
      rows.map((row) => row.migration_name),
      names,
    );
  });

  it('when another session holds the migration lock, then a run waits for it and gives up after lockTimeoutMs', async function () {
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_ADVISORY_LOCK_KEY]);
      await assert.rejects(
        migrateDatabase({ databaseUrl: db.url, logger: createCapturingLogger().logger, lockTimeoutMs: 300 }),
        (error: unknown) => error instanceof MigrationError && /migration lock/.test(error.message),
      );
    });
    assert.equal(await tableExists(db.url, 'users'), false, 'nothing was applied without the lock');
  });

  it('when an applied migration file was edited, then the run is refused with MigrationChecksumMismatchError', async function () {
    const copy = copyMigrationsDir();
    try {
      const logger = createCapturingLogger().logger;
      await migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger });
      const [first] = projectMigrationNames();
      assert.ok(first !== undefined);
      const recorded = fileChecksum(copy.dir, first);
      appendFileSync(path.join(copy.dir, first, 'migration.sql'), '\n-- edited after it was applied\n');
      const pending = addMigration(copy.dir, 'after_edit', 'CREATE TABLE "after_edit" ("id" INTEGER NOT NULL);\n');

      await assert.rejects(migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger }), (error: unknown) => {
        assert.ok(error instanceof MigrationChecksumMismatchError);
        assert.equal(error.migrationName, first);
        assert.equal(error.recordedChecksum, recorded);
        assert.equal(error.fileChecksum, fileChecksum(copy.dir, first));
        assert.match(error.message, new RegExp(first));
        return true;
      });
      assert.equal(await tableExists(db.url, 'after_edit'), false, `pending ${pending} was not applied`);
    } finally {
      copy.remove();
    }
  });

  it('when an applied migration only changed its line endings to CRLF, then it still counts as applied (as in Prisma)', async function () {
    const copy = copyMigrationsDir();
    try {
      const logger = createCapturingLogger().logger;
      await migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger });
      for (const name of projectMigrationNames()) {
        const file = path.join(copy.dir, name, 'migration.sql');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/\r?\n/g, '\r\n'));
      }
      const result = await migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger });
      assert.deepEqual(result, { applied: [], alreadyApplied: projectMigrationNames() });
    } finally {
      copy.remove();
    }
  });

  it('when a migration SQL fails halfway, then nothing of it remains and MigrationFailedError carries the cause', async function () {
    const copy = copyMigrationsDir();
    try {
      const logger = createCapturingLogger().logger;
      const broken = addMigration(
        copy.dir,
        'broken',
        [
          '-- CreateTable',
          'CREATE TABLE "half_done" ("id" INTEGER NOT NULL);',
          '',
          '-- AlterTable',
          'ALTER TABLE "users" ADD COLUMN "extra" TEXT;',
          '',
          '-- Broken',
          'ALTER TABLE "no_such_table" ADD COLUMN "x" TEXT;',
          '',
        ].join('\n'),
      );

      await assert.rejects(migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.equal(error.migrationName, broken);
        assert.ok(error.cause instanceof Error, 'the PostgreSQL error is the cause');
        assert.match(error.cause.message, /no_such_table/);
        return true;
      });

      // The earlier migrations were applied (own transactions); the broken one left nothing behind.
      assert.equal(await tableExists(db.url, 'users'), true);
      assert.equal(await tableExists(db.url, 'half_done'), false);
      const extraColumn = await withClient(db.url, async (client) => {
        const { rowCount } = await client.query(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'extra'`,
        );
        return rowCount;
      });
      assert.equal(extraColumn, 0);
      const rows = await migrationRows(db.url);
      assert.deepEqual(
        rows.map((row) => row.migration_name),
        projectMigrationNames(),
        'no row recorded for the rolled-back migration',
      );

      // Once the file is fixed, the next run applies it.
      writeFileSync(path.join(copy.dir, broken, 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER NOT NULL);\n');
      const retry = await migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger });
      assert.deepEqual(retry.applied, [broken]);
      assert.equal(await tableExists(db.url, 'half_done'), true);
    } finally {
      copy.remove();
    }
  });

  it('when _prisma_migrations records a failed migration, then the run is refused with MigrationFailedError', async function () {
    const logger = createCapturingLogger().logger;
    await migrateDatabase({ databaseUrl: db.url, logger });
    const copy = copyMigrationsDir();
    try {
      const pending = addMigration(copy.dir, 'pending', 'CREATE TABLE "pending_table" ("id" INTEGER NOT NULL);\n');
      await withClient(db.url, (client) =>
        client.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
           VALUES ('00000000-0000-4000-8000-000000000001', $1, '20000101000000_failed_elsewhere', 'syntax error at or near "x"', 0)`,
          ['0'.repeat(64)],
        ),
      );

      await assert.rejects(migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.equal(error.migrationName, '20000101000000_failed_elsewhere');
        assert.match(error.message, /syntax error at or near "x"/);
        return true;
      });
      assert.equal(await tableExists(db.url, 'pending_table'), false, `${pending} was not applied`);

      // Marked as rolled back (what `prisma migrate resolve --rolled-back` does), the run proceeds.
      await withClient(db.url, (client) =>
        client.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '20000101000000_failed_elsewhere'`),
      );
      const result = await migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger });
      assert.deepEqual(result.applied, [pending]);
    } finally {
      copy.remove();
    }
  });

  it('when the migrations directory is locked to another provider, then the run is refused before touching the database', async function () {
    const copy = copyMigrationsDir();
    try {
      writeFileSync(path.join(copy.dir, 'migration_lock.toml'), 'provider = "mysql"\n');
      await assert.rejects(
        migrateDatabase({ databaseUrl: db.url, migrationsDir: copy.dir, logger: createCapturingLogger().logger }),
        (error: unknown) => error instanceof MigrationError && /mysql/.test(error.message),
      );
      assert.equal(await tableExists(db.url, '_prisma_migrations'), false);
    } finally {
      copy.remove();
    }
  });

  it('when the URL names a schema, then migrations and their records go into that schema', async function () {
    const url = new URL(db.url);
    url.searchParams.set('schema', 'tenant_a');
    const result = await migrateDatabase({ databaseUrl: url.toString(), logger: createCapturingLogger().logger });
    assert.deepEqual(result.applied, projectMigrationNames());
    assert.equal(await tableExists(db.url, 'tenant_a.users'), true);
    assert.equal(await tableExists(db.url, 'tenant_a._prisma_migrations'), true);
    assert.equal(await tableExists(db.url, 'public.users'), false);
  });
});
