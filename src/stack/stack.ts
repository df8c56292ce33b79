import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createElasticMqService } from './elasticmq';
import { toStackEndpoints } from './endpoints';
import { withFileLock } from './file-lock';
import { createMotoService } from './moto';
import { STACK_HOST, isPortAnswering, isPortFree, type StackPorts } from './ports';
import { createPostgresService } from './postgres';
import {
  getFileSize,
  isProcessAlive,
  readLogTail,
  readProcessRecord,
  removeProcessRecord,
  spawnDetached,
  terminateProcess,
  toLogFilePath,
  toPidFilePath,
  writeProcessRecord,
  type ProcessRecord,
} from './processes';
import { loadQueueConfig } from './queue-config';
import type { LaunchSpec, ServiceContext, StackService } from './service';
import { StackError, isStackError } from './stack-error';
import { createTemporalPostgresService } from './temporal-postgres-server';
import { toErrorMessage } from '../errors/error-message';
import { createTemporalService } from './temporal-server';
import { createTemporalUiService } from './temporal-ui-server';
import { STACK_SERVICE_NAMES, type StackEndpoints, type StackOptions, type StackServiceName, type StackServiceStatus } from './types';

/** How long a service gets to shut down cleanly before it is killed. */
const STOP_TIMEOUT_MS = 20_000;
const HEALTH_POLL_MS = 250;

/** What stopping and status need: where the pid files are. */
export type StackStateOptions = Pick<StackOptions, 'stateDir' | 'logger'>;

/**
 * Starts every service of the local stack (provisioning tools on first use)
 * and returns its endpoints. Idempotent: a service already running from this
 * stateDir with the same configuration and healthy is left alone.
 * @throws StackError naming the service, with its log and a hint
 */
export async function startStack(options: StackOptions): Promise<StackEndpoints> {
  const ctx = await toServiceContext(options);
  const services = selectServices(ctx, options);
  // The dev server serves its own Web UI on the UI port: a UI server left by the `server` variant would hold it.
  if (!services.some((service) => service.name === 'temporal-ui')) await stopService('temporal-ui', options);
  // Provision one after the other (builds are CPU-heavy), then start all at once.
  const launches: Array<{ service: StackService; launch: LaunchSpec }> = [];
  for (const service of services) launches.push({ service, launch: await service.prepare() });
  const results = await Promise.allSettled(launches.map(({ service, launch }) => ensureRunning(ctx, service, launch)));
  throwIfAnyFailed(results);
  return toStackEndpoints({ ports: options.ports, queueConfig: ctx.queueConfig, databaseUrl: options.databaseUrl });
}

/** Stops every service recorded in `stateDir`. Idempotent. */
export async function stopStack(options: StackStateOptions): Promise<void> {
  const results = await Promise.allSettled(STACK_SERVICE_NAMES.map((name) => stopService(name, options)));
  throwIfAnyFailed(results);
}

/**
 * Starts one service (e.g. Temporal again after {@link stopService}).
 * With `databaseUrl` set, `postgres` is external and nothing is started.
 */
export async function startService(name: StackServiceName, options: StackOptions): Promise<void> {
  const ctx = await toServiceContext(options);
  const service = selectServices(ctx, options).find((candidate) => candidate.name === name);
  if (service === undefined) {
    options.logger.info({ service: name }, 'external service; nothing to start');
    return;
  }
  await ensureRunning(ctx, service, await service.prepare());
}

/** Stops one service, cleanly (then forcibly after 20 s). Idempotent. */
export async function stopService(name: StackServiceName, options: StackStateOptions): Promise<void> {
  const pidFile = toPidFilePath(options.stateDir, name);
  await withFileLock(lockFileOf(options.stateDir, name), async () => {
    const record = await readProcessRecord(pidFile);
    if (record !== undefined && isProcessAlive(record.pid, record.command)) {
      options.logger.info({ service: name, pid: record.pid }, 'stopping');
      await terminateProcess(record.pid, record.stopSignal, STOP_TIMEOUT_MS);
      if (isProcessAlive(record.pid, record.command)) {
        throw new StackError(name, `process ${record.pid} did not exit after SIGKILL.`, `Check it with \`ps -p ${record.pid}\`.`);
      }
    }
    await removeProcessRecord(pidFile);
  });
}

/** One entry per service: whether its recorded process runs and answers on its port. */
export async function getStackStatus(options: Pick<StackOptions, 'stateDir'>): Promise<StackServiceStatus[]> {
  const statuses = await Promise.all(
    STACK_SERVICE_NAMES.map(async (service): Promise<StackServiceStatus | undefined> => {
      const record = await readProcessRecord(toPidFilePath(options.stateDir, service));
      // The UI server runs only beside the `server` variant; with the dev server (which serves its own UI) it is no service of the stack.
      if (record === undefined && service === 'temporal-ui') return undefined;
      if (record === undefined) return { service, running: false, detail: 'not started' };
      if (!isProcessAlive(record.pid, record.command)) {
        return { service, running: false, pid: record.pid, url: record.url, detail: `process ${record.pid} has exited; see ${record.logFile}` };
      }
      const answering = await isPortAnswering(record.port);
      const detail = answering ? `accepting connections on ${STACK_HOST}:${record.port}` : `running, but nothing answers on ${STACK_HOST}:${record.port}`;
      return { service, running: true, pid: record.pid, url: record.url, detail, ...(record.variant === undefined ? {} : { variant: record.variant }) };
    }),
  );
  return statuses.filter((status) => status !== undefined);
}

async function toServiceContext(options: StackOptions): Promise<ServiceContext> {
  assertPorts(options.ports);
  const stateDir = path.resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  return {
    stateDir,
    cacheDir: path.resolve(options.cacheDir),
    ports: options.ports,
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    queueConfig: loadQueueConfig(options.queueConfigPath),
    logger: options.logger,
    onProgress: options.onProgress,
    postgresStatements: options.postgresStatements === true,
  };
}

function selectServices(ctx: ServiceContext, options: StackOptions): StackService[] {
  const temporal = (options.temporal ?? 'dev') === 'server' ? [createTemporalPostgresService(ctx), createTemporalUiService(ctx)] : [createTemporalService(ctx)];
  const services = [...temporal, createElasticMqService(ctx), createMotoService(ctx)];
  return options.databaseUrl === undefined ? [createPostgresService(ctx), ...services] : services;
}

function lockFileOf(stateDir: string, service: StackServiceName): string {
  return path.join(stateDir, 'run', `${service}.lock`);
}

function toFingerprint(launch: LaunchSpec): string {
  const input = JSON.stringify([launch.command, launch.args, launch.uid ?? null, launch.configText ?? null]);
  return createHash('sha256').update(input).digest('hex').slice(0, 16);
}

/** Leaves a healthy, identically configured process alone; otherwise (re)starts the service and waits for health. */
async function ensureRunning(ctx: ServiceContext, service: StackService, launch: LaunchSpec): Promise<void> {
  const { logger } = ctx;
  const pidFile = toPidFilePath(ctx.stateDir, service.name);
  const logFile = toLogFilePath(ctx.stateDir, service.name);
  const fingerprint = toFingerprint(launch);
  await withFileLock(lockFileOf(ctx.stateDir, service.name), async () => {
    const existing = await readProcessRecord(pidFile);
    if (existing !== undefined && isProcessAlive(existing.pid, existing.command)) {
      if (existing.fingerprint === fingerprint) {
        try {
          await waitUntilHealthy(service, existing, 0);
          await service.afterHealthy?.();
          logger.debug({ service: service.name, pid: existing.pid }, 'already running');
          return;
        } catch (error) {
          logger.warn({ service: service.name, pid: existing.pid, err: error }, 'running but not healthy; restarting');
        }
      } else {
        logger.info({ service: service.name, pid: existing.pid }, 'configuration changed; restarting');
      }
      await terminateProcess(existing.pid, existing.stopSignal, STOP_TIMEOUT_MS);
    }
    await removeProcessRecord(pidFile);
    await assertPortsFree(service);
    await service.beforeLaunch?.();

    ctx.onProgress?.({ service: service.name, step: 'starting' });
    await mkdir(path.dirname(logFile), { recursive: true });
    await appendFile(logFile, `\n--- ${new Date().toISOString()} starting: ${launch.command} ${launch.args.join(' ')}\n`);
    const logOffset = await getFileSize(logFile);
    let pid: number;
    try {
      pid = await spawnDetached({ ...launch, logFile });
    } catch (error) {
      throw new StackError(service.name, `cannot launch ${launch.command}: ${toErrorMessage(error)}`, 'Check that the executable exists and is runnable.', { cause: error });
    }
    const record: ProcessRecord = {
      pid,
      command: launch.command,
      args: launch.args,
      fingerprint,
      stopSignal: launch.stopSignal ?? 'SIGTERM',
      logFile,
      url: service.url,
      port: service.ports[0]?.port ?? 0,
      startedAt: new Date().toISOString(),
      ...(launch.variant === undefined ? {} : { variant: launch.variant }),
    };
    await writeProcessRecord(pidFile, record);
    try {
      await waitUntilHealthy(service, record, logOffset);
      await service.afterHealthy?.();
    } catch (error) {
      await terminateProcess(pid, record.stopSignal, STOP_TIMEOUT_MS);
      await removeProcessRecord(pidFile);
      throw error;
    }
    logger.info({ service: service.name, pid, url: service.url }, 'started');
    ctx.onProgress?.({ service: service.name, step: 'ready' });
  });
}

async function waitUntilHealthy(service: StackService, record: ProcessRecord, logOffset: number): Promise<void> {
  const deadline = Date.now() + service.startTimeoutMs;
  const hint = `Read ${record.logFile}, fix the cause, then run \`cascade stack up\` again.`;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isProcessAlive(record.pid, record.command)) {
      const tail = await readLogTail(record.logFile, 20, logOffset);
      throw new StackError(service.name, `exited during startup. Log ${record.logFile}, last lines:\n${tail}`, hint, { cause: lastError });
    }
    try {
      await service.checkHealth();
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(HEALTH_POLL_MS);
  }
  const tail = await readLogTail(record.logFile, 20, logOffset);
  throw new StackError(
    service.name,
    `not healthy ${Math.round(service.startTimeoutMs / 1000)}s after start (${toErrorMessage(lastError)}). Log ${record.logFile}, last lines:\n${tail}`,
    hint,
    { cause: lastError },
  );
}

async function assertPortsFree(service: StackService): Promise<void> {
  for (const claim of service.ports) {
    if (!(await isPortFree(claim.port))) {
      throw new StackError(
        service.name,
        `port ${claim.port} is already in use (set another port for \`${claim.setting}\`, or stop the process listening on ${STACK_HOST}:${claim.port}).`,
        `Find the process with \`ss -ltnp 'sport = :${claim.port}'\`; if it is a stack from another directory, stop it with \`cascade stack down\` there.`,
      );
    }
  }
}

function assertPorts(ports: StackPorts): void {
  const seen = new Map<number, string>();
  for (const setting of Object.keys(ports) as Array<keyof StackPorts>) {
    const port = ports[setting];
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new StackError('stack', `ports.${setting} is ${String(port)}, not a TCP port.`, 'Use an integer from 1 to 65535.');
    }
    const other = seen.get(port);
    if (other !== undefined) throw new StackError('stack', `ports.${setting} and ports.${other} are both ${port}.`, 'Give every service its own port.');
    seen.set(port, setting);
  }
}

function throwIfAnyFailed(results: ReadonlyArray<PromiseSettledResult<unknown>>): void {
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  const services = errors.map((error) => (isStackError(error) ? error.service : 'stack'));
  throw new StackError(
    'stack',
    `${errors.length} services failed (${services.join(', ')}):\n${errors.map((error) => `- ${toErrorMessage(error)}`).join('\n')}`,
    'Fix the first failure; the others may follow from it.',
    { cause: new AggregateError(errors) },
  );
}

