import { Command, CommanderError } from 'commander';
import { isConfigError } from '../config';
import type { GlobalOptions } from './cli-context';
import { registerCascadeCommands } from './commands/cascade-commands';
import { registerDbCommands } from './commands/db-commands';
import { registerDemoCommand } from './commands/demo-command';
import { registerDevCommand } from './commands/dev-command';
import { registerDlqCommands } from './commands/dlq-commands';
import { registerInitCommand } from './commands/init-command';
import { registerRunCommands } from './commands/run-commands';
import { registerSendCommand } from './commands/send-command';
import { registerStackCommands } from './commands/stack-commands';
import { registerStatusCommand } from './commands/status-command';
import { registerTaskCommands } from './commands/task-commands';

/** The `cascade` command line. */
export function createProgram(): Command {
  const program = new Command('cascade')
    .description('Turns Amazon SQS messages into durable Temporal workflows')
    .option('--human-logs', 'human-readable logs instead of JSON (env CASCADE_HUMAN_LOGS)')
    .option('--log-level <level>', 'trace, debug, info, warn, error (env LOG_LEVEL)')
    .showHelpAfterError();
  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  registerRunCommands(program, global);
  registerDevCommand(program, global);
  registerStackCommands(program, global);
  registerDbCommands(program, global);
  registerSendCommand(program, global);
  registerTaskCommands(program, global);
  registerDemoCommand(program, global);
  registerInitCommand(program, global);
  registerCascadeCommands(program, global);
  registerDlqCommands(program, global);
  registerStatusCommand(program, global);
  return program;
}

/** Runs the CLI on `argv` (process.argv shape); exits non-zero with a clear message on failure. */
export async function runCli(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (isConfigError(error)) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? `\n${error.hint}` : '';
    process.stderr.write(`cascade: ${message}${hint}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exit(1);
  }
}

if (require.main === module) void runCli(process.argv);
