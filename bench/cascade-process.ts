import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { findFreePort } from '../src/stack';
import { trackChild } from './children';
import { isRecord } from '../src/shared/parse-helpers';

const BIN = path.join(__dirname, '..', '..', 'bin', 'cascade.js');

/**
 * The NODE_OPTIONS a Cascade process is deployed with: its docker-compose.yml
 * service's own (the bridge caps its old space), else the Docker image's, so
 * the bench measures processes as they run in production.
 */
export function readDeployedNodeOptions(role: string): string {
  deployment ??= readDeployment();
  const environment = deployment.compose.services?.[`cascade-${role}`]?.environment;
  const own = isRecord(environment) ? environment['NODE_OPTIONS'] : undefined;
  return typeof own === 'string' ? own : deployment.imageNodeOptions;
}

let deployment: { compose: { services?: Record<string, { environment?: unknown }> }; imageNodeOptions: string } | undefined;

/** docker-compose.yml and the Dockerfile's NODE_OPTIONS, read once per bench run. */
function readDeployment(): NonNullable<typeof deployment> {
  const root = path.join(__dirname, '..', '..');
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as NonNullable<typeof deployment>['compose'];
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  return { compose, imageNodeOptions: /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1] ?? '' };
}

/** Resident memory of a process, from /proc (Linux). */
export interface MemorySample {
  /** Current resident set, bytes. */
  readonly rssBytes: number;
  /** Peak resident set since the process started, bytes. */
  readonly peakRssBytes: number;
}

/** A `cascade bridge|worker|start` child process with its HTTP port. */
export interface CascadeProcess {
  readonly role: string;
  readonly child: ChildProcess;
  readonly httpUrl: string;
  /** When its HTTP server first answered /healthz (ms since the epoch). */
  readonly readyAt: number;
  /** Sum of `cascade_messages_total` for these outcomes. */
  countMessages(outcomes: readonly string[]): Promise<number>;
  /** Mean of `cascade_workflow_start_seconds` (the bridge's start calls), in ms. */
  meanStartMs(): Promise<number>;
  /** Mean of `cascade_sqs_receive_batch_size`: messages per ReceiveMessage call. */
  meanReceiveBatch(): Promise<number>;
  memory(): Promise<MemorySample>;
  /** SIGTERM, then waits for the exit (the bridge releases what it holds). */
  stop(): Promise<void>;
}

/** Starts `cascade <role>` with `env` on a free HTTP port and waits until it answers. */
export async function startCascadeProcess(role: 'bridge' | 'worker' | 'start', env: NodeJS.ProcessEnv): Promise<CascadeProcess> {
  const port = await findFreePort();
  // CASCADE_BENCH_CPU_PROF=<dir>: every Cascade process writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
  const profileDir = process.env.CASCADE_BENCH_CPU_PROF;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${role}-${port}.cpuprofile`] : [];
  const child = trackChild(
    spawn(process.execPath, [...nodeArgs, BIN, role], { env: { NODE_OPTIONS: readDeployedNodeOptions(role), ...env, CASCADE_HTTP_PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`cascade ${role} exited during start-up:\n${stderr}`);
    try {
      const response = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(500) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cascade ${role} did not answer /healthz within 60 s:\n${stderr}`);
    }
    await sleep(20);
  }
  const readyAt = Date.now();
  return {
    role,
    child,
    httpUrl,
    readyAt,
    async countMessages(outcomes) {
      const text = await (await fetch(`${httpUrl}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        const match = /^cascade_messages_total\{[^}]*outcome="([a-z]+)"[^}]*\} (\d+(?:\.\d+)?)$/.exec(line);
        if (match && outcomes.includes(match[1] ?? '')) total += Number(match[2]);
      }
      return total;
    },
    async meanStartMs() {
      return (await readHistogramMean(httpUrl, 'cascade_workflow_start_seconds')) * 1000;
    },
    meanReceiveBatch: () => readHistogramMean(httpUrl, 'cascade_sqs_receive_batch_size'),
    memory: () => readMemory(child.pid ?? 0),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** VmRSS and VmHWM of a process. */
export async function readMemory(pid: number): Promise<MemorySample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Mean of a Prometheus histogram (sum / count over every label set) read from `/metrics`. */
async function readHistogramMean(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const read = (series: string) => text.split('\n').filter((line) => line.startsWith(series)).reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
  const count = read(`${name}_count`);
  return count === 0 ? 0 : read(`${name}_sum`) / count;
}
