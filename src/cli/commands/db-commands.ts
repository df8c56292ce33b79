import type { Command } from 'commander';
import { migrateDatabase } from '../../db/migrate';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';
import { applyStackEnvironment } from '../stack-session';

/** `cascade db migrate`. */
export function registerDbCommands(program: Command, global: () => GlobalOptions): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations from prisma/migrations (records them in _prisma_migrations as `prisma migrate deploy` does)')
    .option('--dry-run', 'list the migrations that would be applied, change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean; dryRun?: boolean }) => {
      const { config, logger } = createCliContext(global(), ['worker'], applyStackEnvironment());
      const result = await migrateDatabase({ databaseUrl: config.databaseUrl ?? '', logger, dryRun: options.dryRun === true });
      printResult(result, options.json, (r) => {
        if (r.pending !== undefined) return r.pending.length === 0 ? `database is up to date (${r.alreadyApplied.length} migrations applied)` : `would apply: ${r.pending.join(', ')}`;
        return r.applied.length === 0 ? `database is up to date (${r.alreadyApplied.length} migrations applied before)` : `applied: ${r.applied.join(', ')}`;
      });
    });
}
