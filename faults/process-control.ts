import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from '../bench/bench-env';
import type { CascadeProcess } from '../bench/cascade-process';
import { type StackServiceName, startService, stopService } from '../src/stack';

/** Resolves when `child` has exited (at once when it already has). */
export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A real `kill -9`: the process gets no chance to release or finish anything. */
export async function killHard(process: CascadeProcess): Promise<void> {
  process.child.kill('SIGKILL');
  await waitForExit(process.child);
}

/** SIGTERM (the process drains as it does in production), SIGKILL after `graceMs`. */
export async function terminate(process: CascadeProcess, graceMs = 30_000): Promise<void> {
  process.child.kill('SIGCONT');
  process.child.kill('SIGTERM');
  const exited = await Promise.race([waitForExit(process.child).then(() => true), sleep(graceMs).then(() => false)]);
  if (!exited) await killHard(process);
}

/** Services the suite has stopped and not started again: restored at the end of every fault and on Ctrl-C. */
const stopped = new Set<StackServiceName>();

/** Stops a service of the local stack for real (its process ends; clients get connection refused). */
export async function stopStackService(env: BenchEnv, name: StackServiceName): Promise<void> {
  stopped.add(name);
  await stopService(name, env.stackOptions);
}

/** Starts a stopped service again and waits until it is healthy; returns when it is. */
export async function startStackService(env: BenchEnv, name: StackServiceName): Promise<number> {
  await startService(name, env.stackOptions);
  stopped.delete(name);
  return Date.now();
}

/** Starts every service a fault left stopped (after an error or a timeout inside the fault). */
export async function restoreStackServices(env: BenchEnv): Promise<void> {
  for (const name of [...stopped]) await startStackService(env, name);
}

/** Stops `name` for `ms`, then starts it again; resolves with the time it was healthy again (the fault's end). */
export async function withOutage(env: BenchEnv, name: StackServiceName, ms: number, during?: () => Promise<void>): Promise<number> {
  await stopStackService(env, name);
  const back = Date.now() + ms;
  try {
    await during?.();
    await sleep(Math.max(0, back - Date.now()));
  } finally {
    await startStackService(env, name);
  }
  return Date.now();
}
