import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino, { type Logger } from 'pino';

/** A database of its own for one test file, on the server of DATABASE_URL. */
export interface TestDatabase {
  /** Database name (`cascade_db_<label>_<random>`). */
  name: string;
  /** Connection string of the new database. */
  url: string;
  /** Drops the database, closing any connection left open. */
  drop(): Promise<void>;
}

/**
 * The server URL the root hook publishes. Missing DATABASE_URL fails the
 * test: database tests never silently skip.
 */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Run the suite with mocha (the root hook starts PostgreSQL), ' +
        'or point DATABASE_URL at a PostgreSQL server where this user may CREATE DATABASE.',
    );
  }
  return url;
}

async function withServerClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, uniquely named database next to DATABASE_URL's. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `cascade_db_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await withServerClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withServerClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Runs `work` with a connected client on `databaseUrl`. */
export async function withClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The repository root (the directory holding prisma/schema.prisma), found upwards from this file. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'prisma', 'schema.prisma'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prisma/schema.prisma not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** The project's real migrations directory. */
export function projectMigrationsDir(): string {
  return path.join(projectRoot(), 'prisma', 'migrations');
}

/** A disposable copy of the project's migrations directory. */
export function copyMigrationsDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-migrations-'));
  cpSync(projectMigrationsDir(), dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps its JSON lines in memory, for assertions. */
export function createCapturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}
