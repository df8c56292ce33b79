import type { Command } from 'commander';
import { type CascadeRoles, startCascadeProcess } from '../../app/cascade-app';
import type { ProcessRole } from '../../config';
import { shutdownTracing } from '../../telemetry/tracing-state';
import { type GlobalOptions, createCliContext } from '../cli-context';
import { onShutdownSignal } from '../process-lifecycle';

/** Runs the given parts until SIGTERM/SIGINT. */
export async function runCascadeProcess(global: GlobalOptions, roles: CascadeRoles): Promise<void> {
  const needed: ProcessRole[] = [];
  if (roles.bridge) needed.push('bridge');
  if (roles.worker) needed.push('worker');
  if (roles.http) needed.push('http');
  const { config, logger } = createCliContext(global, needed);
  const app = await startCascadeProcess(config, roles, logger);
  let stopping = false;
  onShutdownSignal(logger, async () => {
    stopping = true;
    await app.stop();
    await shutdownTracing();
  });
  await app.stopped;
  if (stopping) return;
  logger.error('worker stopped unexpectedly; shutting down');
  await app.stop();
  await shutdownTracing();
  process.exit(1);
}

/** `cascade start`, `cascade bridge`, `cascade worker`. */
export function registerRunCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('start')
    .description('run bridge + worker + HTTP server in one process (small deployments)')
    .action(() => runCascadeProcess(global(), { bridge: true, worker: true, http: true }));
  program
    .command('bridge')
    .description('run only the bridge (SQS → Temporal) and the HTTP server; scale out by running more')
    .action(() => runCascadeProcess(global(), { bridge: true, worker: false, http: true }));
  program
    .command('worker')
    .description('run only the Temporal worker (workflows + activities) and the HTTP server')
    .action(() => runCascadeProcess(global(), { bridge: false, worker: true, http: true }));
}
