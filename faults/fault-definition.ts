import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultStage } from './fault-stage';
import type { RowSource } from './outcome';
import type { RouteWorkload } from './workloads';

/** What a fault hands to the observer: its rows, and when the fault ended (recovery is timed from there). */
export interface FaultRun {
  readonly sources: readonly RowSource[];
  readonly endedAt: number;
}

/** One fault of the suite, selected by name with `--faults`. */
export interface FaultDefinition {
  readonly name: string;
  readonly description: string;
  /**
   * Sets up workloads and processes, injects the fault, and returns once it
   * has ended. Calls `register` as soon as its rows exist, so a fault that
   * breaks half-way is still observed and reported.
   */
  run(stage: FaultStage, register: (sources: readonly RowSource[]) => void): Promise<FaultRun>;
}

/** A row of one or more workloads: their effects summed, their runs and messages its own. */
export function toRowSource(fault: string, description: string, workloads: readonly RouteWorkload[], notes: string[] = []): RowSource {
  return {
    fault,
    description,
    workflowPrefixes: [...new Set(workloads.map((w) => `${w.route}/`))],
    eventsSent: workloads.reduce((sum, w) => sum + w.bodies.length, 0),
    expectedEffects: workloads.reduce((sum, w) => sum + w.expectedEffects, 0),
    bodies: new Set(workloads.flatMap((w) => w.bodies)),
    notes,
    async count() {
      const counts = await Promise.all(workloads.map((w) => w.count()));
      return { observed: counts.reduce((sum, c) => sum + c.observed, 0), duplicated: counts.reduce((sum, c) => sum + c.duplicated, 0) };
    },
  };
}

/** Share of the expected effects present now (0 while the state cannot be read). */
export async function readProgress(workloads: readonly RouteWorkload[]): Promise<number> {
  const counts = await Promise.all(workloads.map((w) => w.count().catch(() => ({ observed: 0, duplicated: 0 }))));
  const expected = workloads.reduce((sum, w) => sum + w.expectedEffects, 0);
  return counts.reduce((sum, c) => sum + c.observed, 0) / Math.max(1, expected);
}

/** Waits until `ready()` holds, polling; false after `timeoutMs`. */
export async function waitFor(ready: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return true;
    await sleep(pollMs);
  }
  return false;
}

/** Sends every workload's bodies to its route queue. */
export async function sendAll(stage: FaultStage, workloads: readonly RouteWorkload[]): Promise<void> {
  for (const w of workloads) await stage.send(w.route, w.bodies);
}

/** Percent text of a progress share. */
export const toPercent = (share: number): string => `${Math.round(share * 100)}%`;
