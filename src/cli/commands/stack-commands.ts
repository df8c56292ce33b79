import { type Command, Option } from 'commander';
import { createLogger } from '../../logger';
import { STACK_TEMPORAL_ENV, TEMPORAL_VARIANTS, type TemporalVariant, getStackStatus, stopStack, toEnvLines } from '../../stack';
import { type GlobalOptions, printResult } from '../cli-context';
import { bringStackUp, forgetStackEndpoints, readStackEndpoints, toStackOptions } from '../stack-session';

/** `cascade stack up|down|status|env`. */
export function registerStackCommands(program: Command, global: () => GlobalOptions): void {
  const stack = program.command('stack').description('the embedded local stack: PostgreSQL, Temporal (dev server, or server on PostgreSQL) + Web UI, ElasticMQ, moto');
  const logger = () => createLogger({ level: global().logLevel ?? 'warn', human: global().humanLogs ?? true, stream: 'stderr' });

  stack
    .command('up')
    .description('start every service (idempotent; the first run builds tools and may take minutes)')
    .option('--json', 'print the endpoints as JSON')
    .addOption(new Option('--temporal <variant>', `which Temporal runs: the CLI dev server, or the Temporal server on PostgreSQL (default: $${STACK_TEMPORAL_ENV}, else dev)`).choices(TEMPORAL_VARIANTS))
    .action(async (options: { json?: boolean; temporal?: TemporalVariant }) => {
      const stackOptions = toStackOptions(process.env, logger());
      const temporal = options.temporal ?? stackOptions.temporal ?? 'dev';
      const endpoints = await bringStackUp({ ...stackOptions, temporal });
      const footer = `Temporal Web UI: ${endpoints.TEMPORAL_UI_URL}${temporal === 'server' ? ' (the Temporal server on PostgreSQL)' : ''}`;
      printResult(endpoints, options.json, (e) => [...toEnvLines(e), '', footer].join('\n'));
    });

  stack
    .command('down')
    .description('stop every service (idempotent); data stays in the state directory')
    .action(async () => {
      const options = toStackOptions(process.env, logger());
      await stopStack(options);
      forgetStackEndpoints(options.stateDir);
      process.stdout.write('stack stopped\n');
    });

  stack
    .command('status')
    .description('which services run, with their pid and URL, and which Temporal (dev or server)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await getStackStatus(toStackOptions(process.env, logger()));
      printResult(status, options.json, (rows) =>
        rows.map((r) => `${r.service.padEnd(12)} ${r.running ? 'running' : 'stopped'}${r.variant ? `  ${r.variant}` : ''}${r.pid ? `  pid ${r.pid}` : ''}${r.url ? `  ${r.url}` : ''}${r.detail ? `  (${r.detail})` : ''}`).join('\n'),
      );
    });

  stack
    .command('env')
    .description('print the endpoints as KEY=value lines (eval-able: `export $(cascade stack env)`)')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const endpoints = readStackEndpoints(toStackOptions(process.env, logger()).stateDir);
      if (!endpoints) {
        process.stderr.write('the local stack is not up here: run `cascade stack up` first\n');
        process.exitCode = 1;
        return;
      }
      printResult(endpoints, options.json, (e) => toEnvLines(e).join('\n'));
    });
}
