import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import type { Logger } from 'pino';
import { toErrorMessage } from '../errors/error-message';
import { isRecord } from '../shared/parse-helpers';

/**
 * Key of the session-level advisory lock held while migrating. It is the key
 * Prisma Migrate uses (schema engine, `acquire_lock`), so `migrateDatabase`
 * and `prisma migrate deploy` exclude each other too.
 */
export const MIGRATION_ADVISORY_LOCK_KEY = 72707369;

/** Name of Prisma Migrate's bookkeeping table. */
export const MIGRATIONS_TABLE = '_prisma_migrations';

/** The migration script inside each migration directory. */
const MIGRATION_SCRIPT = 'migration.sql';
/** Lock file at the top of the migrations directory. */
const MIGRATION_LOCK_FILE = 'migration_lock.toml';

/**
 * The `_prisma_migrations` DDL, verbatim from Prisma's schema engine
 * (`PostgresFlavour::create_migrations_table`).
 */
const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** Options of {@link migrateDatabase}. */
export interface MigrateDatabaseOptions {
  /**
   * PostgreSQL connection string. A `schema` query parameter selects the
   * PostgreSQL schema (created when missing), as with Prisma; otherwise the
   * server's default `search_path` applies (normally `public`).
   */
  databaseUrl: string;
  /**
   * Directory in Prisma's layout: `migration_lock.toml` plus one
   * `<timestamp>_<name>/migration.sql` per migration, applied in name order.
   * @default the `prisma/migrations` directory of the Cascade checkout/package
   */
  migrationsDir?: string;
  /** Receives one `info` line per applied migration, plus warnings. */
  logger: Logger;
  /**
   * How long to wait for another process's migration run (advisory lock)
   * before giving up with a {@link MigrationError}.
   * @default 60_000
   */
  lockTimeoutMs?: number;
  /** List what would be applied (in `pending`) and change nothing: no schema, table or row is created. */
  dryRun?: boolean;
}

/** Outcome of {@link migrateDatabase}. */
export interface MigrateDatabaseResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations found already applied (checksums verified), in order. */
  alreadyApplied: string[];
  /** With `dryRun`: the migrations a real run would apply, in order. */
  pending?: string[];
}

/** Base class of every error thrown by {@link migrateDatabase}. */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
}

/**
 * Thrown when an already-applied migration's `migration.sql` no longer has
 * the checksum recorded in `_prisma_migrations`: applied migrations must never
 * be edited; add a new migration instead.
 */
export class MigrationChecksumMismatchError extends MigrationError {
  override readonly name: string = 'MigrationChecksumMismatchError';

  constructor(
    /** Directory name of the edited migration. */
    readonly migrationName: string,
    /** SHA-256 (hex) recorded when the migration was applied. */
    readonly recordedChecksum: string,
    /** SHA-256 (hex) of the file as it is now. */
    readonly fileChecksum: string,
  ) {
    super(
      `Migration "${migrationName}" was modified after it was applied: recorded checksum ${recordedChecksum}, ` +
        `file checksum ${fileChecksum}. Restore the original migration.sql and put the change in a new migration.`,
    );
  }
}

/**
 * Thrown when a migration's SQL fails (its transaction is rolled back, so the
 * database is left as before that migration), or when `_prisma_migrations`
 * records an earlier failed attempt (`finished_at` and `rolled_back_at` null,
 * e.g. from `prisma migrate deploy`), which needs an operator first.
 */
export class MigrationFailedError extends MigrationError {
  override readonly name: string = 'MigrationFailedError';

  constructor(
    /** Directory name of the failed migration. */
    readonly migrationName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `error` was thrown by {@link migrateDatabase}. */
export function isMigrationError(error: unknown): error is MigrationError {
  return error instanceof MigrationError;
}

/** One migration directory found on disk. */
interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

/** One row of `_prisma_migrations`. */
interface MigrationRecord {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

/**
 * Applies pending Prisma migrations; the replacement for
 * `prisma migrate deploy` (whose schema engine is not shipped with Cascade).
 *
 * Under the advisory lock Prisma uses, it creates `_prisma_migrations` exactly
 * as Prisma does, refuses edited or previously failed migrations, then applies
 * each pending migration in its own transaction together with its
 * `_prisma_migrations` row (SHA-256 checksum, `finished_at`,
 * `applied_steps_count = 1`), so Prisma's own tooling sees it as applied.
 * Concurrent calls (many workers starting at once) apply each migration once.
 *
 * A migration script must therefore be transaction-safe: no
 * `CREATE INDEX CONCURRENTLY` and no explicit `BEGIN`/`COMMIT` (the same
 * restriction as Prisma's multi-statement scripts).
 *
 * @throws MigrationChecksumMismatchError when an applied migration was edited.
 * @throws MigrationFailedError when a migration fails or an earlier one is recorded as failed.
 * @throws MigrationError when the migrations directory is invalid, the database is
 *   unreachable, or the lock is not obtained within `lockTimeoutMs`.
 */
export async function migrateDatabase(options: MigrateDatabaseOptions): Promise<MigrateDatabaseResult> {
  const logger = options.logger;
  const migrationsDir = path.resolve(options.migrationsDir ?? findDefaultMigrationsDir());
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs <= 0) {
    throw new TypeError(`lockTimeoutMs must be a positive integer (milliseconds), got ${String(options.lockTimeoutMs)}`);
  }
  const files = readMigrationFiles(migrationsDir);
  const { config, schema } = toClientConfig(options.databaseUrl);

  const client = new Client(config);
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(`Cannot connect to PostgreSQL at ${describeTarget(config)} to apply migrations`, { cause: error });
  }
  // A broken connection is reported by the pending query; keep the process alive.
  client.on('error', (error) => logger.warn({ err: error }, 'migration connection error'));

  try {
    if (schema !== undefined) {
      if (options.dryRun !== true) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
      await client.query(`SET search_path TO ${quoteIdentifier(schema)}`);
    }
    await acquireLock(client, lockTimeoutMs);
    try {
      return await applyPendingMigrations(client, files, logger, options.dryRun === true);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_ADVISORY_LOCK_KEY]).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not release the migration lock; it is released when the connection closes');
      });
    }
  } catch (error) {
    if (isMigrationError(error)) throw error;
    throw new MigrationError(`Migrating ${describeTarget(config)} failed: ${toErrorMessage(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyPendingMigrations(client: Client, files: MigrationFile[], logger: Logger, dryRun: boolean): Promise<MigrateDatabaseResult> {
  const hasTable = await migrationsTableExists(client);
  if (!hasTable && !dryRun) await client.query(CREATE_MIGRATIONS_TABLE_SQL);
  const records = hasTable
    ? (
        await client.query<MigrationRecord>(
          `SELECT id, checksum, migration_name, finished_at, rolled_back_at, started_at, logs
             FROM ${MIGRATIONS_TABLE} ORDER BY started_at ASC`,
        )
      ).rows
    : [];

  const failed = records.filter((record) => record.finished_at === null && record.rolled_back_at === null);
  const [firstFailed] = failed;
  if (firstFailed !== undefined) {
    const details = failed
      .map((record) => {
        const logs = record.logs?.trim() ? ` with the following logs:\n${record.logs.trim()}` : '';
        return `The \`${record.migration_name}\` migration started at ${record.started_at.toISOString()} failed${logs}`;
      })
      .join('\n');
    throw new MigrationFailedError(
      firstFailed.migration_name,
      `Found failed migrations in the target database; new migrations will not be applied. Resolve them first ` +
        `(fix the database, then \`prisma migrate resolve --rolled-back|--applied <name>\`, or mark the row's ` +
        `rolled_back_at).\n${details}`,
    );
  }

  const appliedRecords = new Map<string, MigrationRecord>();
  for (const record of records) {
    if (record.rolled_back_at === null) appliedRecords.set(record.migration_name, record);
  }

  const alreadyApplied: string[] = [];
  const pending: MigrationFile[] = [];
  for (const file of files) {
    const record = appliedRecords.get(file.name);
    if (record === undefined) {
      pending.push(file);
      continue;
    }
    if (!scriptMatchesChecksum(file.script, record.checksum)) {
      throw new MigrationChecksumMismatchError(file.name, record.checksum, file.checksum);
    }
    alreadyApplied.push(file.name);
  }

  const known = new Set(files.map((file) => file.name));
  const unknown = [...appliedRecords.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    logger.warn({ migrations: unknown }, 'database has applied migrations that are missing from the migrations directory');
  }

  if (dryRun) return { applied: [], alreadyApplied, pending: pending.map((file) => file.name) };
  const applied: string[] = [];
  for (const file of pending) {
    await applyMigration(client, file);
    applied.push(file.name);
    logger.info({ migration: file.name, checksum: file.checksum }, 'applied migration');
  }
  if (applied.length === 0) logger.debug({ alreadyApplied: alreadyApplied.length }, 'database schema is up to date');
  return { applied, alreadyApplied };
}

async function applyMigration(client: Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, file.checksum, file.name],
    );
    try {
      // No parameters: the simple-query protocol runs a multi-statement script.
      await client.query(file.script);
    } catch (error) {
      throw new MigrationFailedError(file.name, `Migration "${file.name}" failed and was rolled back: ${toErrorMessage(error)}`, {
        cause: error,
      });
    }
    await client.query(
      `UPDATE ${MIGRATIONS_TABLE} SET applied_steps_count = 1, finished_at = clock_timestamp() WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof MigrationFailedError) throw error;
    throw new MigrationFailedError(file.name, `Recording migration "${file.name}" failed: ${toErrorMessage(error)}`, {
      cause: error,
    });
  }
}

async function migrationsTableExists(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [quoteIdentifier(MIGRATIONS_TABLE)]);
  return rows[0]?.exists === true;
}

async function acquireLock(client: Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for advisory locks too.
  await client.query(`SET lock_timeout = ${timeoutMs}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_ADVISORY_LOCK_KEY]);
  } catch (error) {
    if (pgErrorCode(error) === '55P03') {
      throw new MigrationError(
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${MIGRATION_ADVISORY_LOCK_KEY})); ` +
          'another migration run holds it. Retry once it has finished.',
        { cause: error },
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

/**
 * Lists `<dir>/<name>/migration.sql` in name order (Prisma's order: the
 * timestamp prefix) with the checksum Prisma records.
 */
function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  let entries: string[];
  try {
    entries = readdirSync(migrationsDir);
  } catch (error) {
    throw new MigrationError(`Cannot read the migrations directory ${migrationsDir}`, { cause: error });
  }
  assertPostgresLockFile(migrationsDir);
  return entries
    .filter((entry) => statSync(path.join(migrationsDir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const scriptPath = path.join(migrationsDir, name, MIGRATION_SCRIPT);
      let bytes: Buffer;
      try {
        bytes = readFileSync(scriptPath);
      } catch (error) {
        throw new MigrationError(`Migration directory "${name}" has no readable ${MIGRATION_SCRIPT} (${scriptPath})`, {
          cause: error,
        });
      }
      return { name, script: bytes.toString('utf8'), checksum: sha256Hex(bytes) };
    });
}

function assertPostgresLockFile(migrationsDir: string): void {
  const lockPath = path.join(migrationsDir, MIGRATION_LOCK_FILE);
  if (!existsSync(lockPath)) return;
  const providerLine = readFileSync(lockPath, 'utf8')
    .split(/\r?\n/)
    .find((line) => line.startsWith('provider'));
  const provider = providerLine?.replace(/^provider\s*=\s*/, '').replace(/"/g, '').trim();
  if (provider !== 'postgresql') {
    throw new MigrationError(
      `${lockPath} declares provider ${JSON.stringify(provider ?? null)}, but these migrations are applied to PostgreSQL ("postgresql")`,
    );
  }
}

/**
 * Prisma's comparison (`script_matches_checksum`): the script as is, with
 * CRLF turned into LF, or LF into CRLF, so a git checkout's line endings do
 * not count as an edit.
 */
function scriptMatchesChecksum(script: string, checksum: string): boolean {
  return [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')].some(
    (candidate) => sha256Hex(Buffer.from(candidate, 'utf8')) === checksum,
  );
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Splits Prisma's `schema` parameter off the URL; `pg` would ignore it. */
function toClientConfig(databaseUrl: string): { config: ClientConfig; schema: string | undefined } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch (error) {
    throw new MigrationError('databaseUrl is not a valid URL; expected postgresql://user:password@host:port/database', {
      cause: error,
    });
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new MigrationError(`databaseUrl must use the postgresql:// scheme, got ${url.protocol}//`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { config: { connectionString: url.toString(), application_name: 'cascade-migrate' }, schema };
}

/** Host and database for messages, never the credentials. */
function describeTarget(config: ClientConfig): string {
  const url = new URL(config.connectionString ?? 'postgresql://unknown');
  return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function pgErrorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}

/**
 * The `prisma/migrations` directory next to the nearest package root above
 * this module (works from `src/db` under ts-node and from `dist/src/db`).
 */
function findDefaultMigrationsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new MigrationError(`No prisma/migrations directory found above ${__dirname}; pass migrationsDir explicitly`);
    }
    dir = parent;
  }
}
