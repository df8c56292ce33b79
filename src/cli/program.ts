import type { Command } from 'commander';
import { registerCascadeCommands } from './commands/cascade-commands';
import { registerDbCommands } from './commands/db-commands';
import { registerDemoCommand } from './commands/demo-command';
import { registerDevCommand } from './commands/dev-command';
import { registerDlqCommands } from './commands/dlq-commands';
import { registerHistoryCommand } from './commands/history-command';
import { registerInitCommand } from './commands/init-command';
import { registerRunCommands } from './commands/run-commands';
import { registerSendCommand } from './commands/send-command';
import { registerStackCommands } from './commands/stack-commands';
import { registerStatusCommand } from './commands/status-command';
import { registerTaskCommands } from './commands/task-commands';
import { createProgramShell } from './main';

/** The `cascade` command line with every command. */
export function createProgram(): Command {
  const { program, global } = createProgramShell();
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
  registerHistoryCommand(program, global);
  return program;
}
