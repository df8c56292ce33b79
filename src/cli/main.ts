import { Command, CommanderError } from 'commander';
import { isConfigError } from '../config';
import type { GlobalOptions } from './cli-context';
import { registerRunCommands } from './commands/run-commands';
import { toErrorMessage } from '../errors/error-message';

/** The long-running commands: their process loads only what it runs (see {@link toProgramKind}). */
const SERVICE_COMMANDS = new Set(['start', 'bridge', 'worker']);

/** The program shell: name, description and the global options every command shares. */
export function createProgramShell(): { program: Command; global: () => GlobalOptions } {
  const program = new Command('cascade')
    .description('Turns Amazon SQS messages into durable Temporal workflows')
    .option('--human-logs', 'human-readable logs instead of JSON (env CASCADE_HUMAN_LOGS)')
    .option('--log-level <level>', 'trace, debug, info, warn, error (env LOG_LEVEL)')
    .showHelpAfterError();
  return { program, global: () => program.opts<GlobalOptions>() };
}

/**
 * `service` when `argv` runs `start`, `bridge` or `worker`: those long-running
 * processes get a program with only those commands, so they never load the
 * operator commands' dependencies (stack tooling, demo, provisioning) and
 * stay small in memory. Anything else (help included) gets every command.
 */
export function toProgramKind(argv: readonly string[]): 'service' | 'full' {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--log-level') i += 1;
    else if (!arg.startsWith('-')) return SERVICE_COMMANDS.has(arg) && !args.includes('--help') && !args.includes('-h') ? 'service' : 'full';
  }
  return 'full';
}

/** The program of a service process: `start`, `bridge`, `worker`. */
export function createServiceProgram(): Command {
  const { program, global } = createProgramShell();
  registerRunCommands(program, global);
  return program;
}

/** Runs the CLI on `argv` (process.argv shape); exits non-zero with a clear message on failure. */
export async function runCli(argv: string[]): Promise<void> {
  const program = toProgramKind(argv) === 'service' ? createServiceProgram() : (await import('./program')).createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (isConfigError(error)) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    const message = toErrorMessage(error);
    const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? `\n${error.hint}` : '';
    process.stderr.write(`cascade: ${message}${hint}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exit(1);
  }
}

if (require.main === module) void runCli(process.argv);
