import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROUTE_NAMES } from '../src/routes/route-names';
import { resolveWorkflowsPath, writeWorkflowBundle } from '../src/worker/workflow-source';
import { type FaultDefinition, readProgress, sendAll, toPercent, toRowSource, waitFor } from './fault-definition';
import { killHard, terminate } from './process-control';

/** SIGKILL of the worker while activities of every route run; a fresh worker takes over at once. One row per route. */
export const workerSigkill: FaultDefinition = {
  name: 'worker-sigkill',
  description: 'SIGKILL of the worker mid-activity, a new worker started at once',
  async run(stage, register) {
    const n = stage.settings.eventsPerRoute;
    const workloads = await Promise.all(ROUTE_NAMES.map((route) => stage.workload(route, route === 'entity-deleted' ? 2 : n)));
    const notes = workloads.map((): string[] => []);
    register(workloads.map((w, i) => toRowSource(`worker-sigkill:${w.route}`, `SIGKILL of the worker mid-activity (${w.route})`, [w], notes[i])));
    const worker = await stage.startWorker();
    await stage.startBridge();
    await sendAll(stage, workloads);
    const entity = workloads.find((w) => w.route === 'entity-deleted');
    // Kill while the big entity-deleted pages are being archived (the other routes' events are in flight with them).
    const midway = await waitFor(async () => (entity ? await readProgress([entity]) : 0) > 0.05, 120_000);
    const progress = await Promise.all(workloads.map((w) => readProgress([w])));
    await killHard(worker);
    progress.forEach((p, i) => notes[i]?.push(`${toPercent(p)} of effects present at the kill${midway ? '' : ' (entity-deleted had not started in 120 s)'}`));
    await stage.startWorker();
    return { sources: [], endedAt: Date.now() };
  },
};

/** SIGKILL of the bridge after it started workflows and before it deleted their messages; a new bridge takes over. */
export const bridgeSigkill: FaultDefinition = {
  name: 'bridge-sigkill',
  description: 'SIGKILL of the bridge between StartWorkflowExecution and DeleteMessage',
  async run(stage, register) {
    const workloads = [await stage.workload('account-events', stage.settings.eventsPerRoute * 5), await stage.workload('tasks', stage.settings.eventsPerRoute * 5)];
    const notes: string[] = [];
    register([toRowSource('bridge-sigkill', this.description, workloads, notes)]);
    await stage.startWorker();
    const bridge = await stage.startBridge();
    await sendAll(stage, workloads);
    // Workflows started (their effects show) while the bridge still holds messages it has not deleted.
    const caught = await waitFor(async () => {
      const p = await readProgress(workloads);
      return p > 0 && p < 0.8 && (await stage.sourceDepth()) > 0;
    }, 60_000, 20);
    const sqsLeft = await stage.sourceDepth().catch(() => -1);
    await killHard(bridge);
    notes.push(caught ? `killed with ${sqsLeft} message(s) still on the queues` : 'no moment with started workflows and undeleted messages seen in 60 s; killed anyway');
    await stage.startBridge();
    return { sources: [], endedAt: Date.now() };
  },
};

/** SIGSTOP of a bridge holding messages, past the visibility timeout (a second bridge runs), then SIGCONT. */
export const bridgeSigstop: FaultDefinition = {
  name: 'bridge-sigstop',
  description: 'SIGSTOP of a bridge holding messages past the 30 s visibility timeout, a second bridge running, then SIGCONT',
  async run(stage, register) {
    const workloads = [await stage.workload('account-events', stage.settings.eventsPerRoute * 5), await stage.workload('email-archive', stage.settings.eventsPerRoute)];
    const notes: string[] = [];
    register([toRowSource('bridge-sigstop', this.description, workloads, notes)]);
    await stage.startWorker();
    const frozen = await stage.startBridge();
    await sendAll(stage, workloads);
    await waitFor(async () => (await readProgress(workloads)) > 0, 60_000, 10);
    frozen.child.kill('SIGSTOP');
    notes.push(`stopped at ${toPercent(await readProgress(workloads))} of effects`);
    await stage.startBridge();
    await sleep(stage.settings.bridgeStopMs);
    frozen.child.kill('SIGCONT');
    return { sources: [], endedAt: Date.now() };
  },
};

/** SIGTERM of the bridge and the worker while events keep arriving; new ones started after they exited. */
export const sigtermUnderLoad: FaultDefinition = {
  name: 'sigterm-under-load',
  description: 'SIGTERM of bridge and worker under load, new processes started after they exit',
  async run(stage, register) {
    const n = stage.settings.eventsPerRoute * 5;
    const workloads = [await stage.workload('account-events', n), await stage.workload('tasks', n), await stage.workload('email-archive', stage.settings.eventsPerRoute)];
    const notes: string[] = [];
    register([toRowSource('sigterm-under-load', this.description, workloads, notes)]);
    const worker = await stage.startWorker();
    const bridge = await stage.startBridge();
    // Send in slices so events keep arriving before, during and after the restart.
    const slices = 10;
    const sending = (async () => {
      for (let s = 0; s < slices; s++) {
        for (const w of workloads) {
          const size = Math.ceil(w.bodies.length / slices);
          await stage.send(w.route, w.bodies.slice(s * size, (s + 1) * size));
        }
        await sleep(500);
      }
    })();
    await sleep(1500);
    const t0 = Date.now();
    await Promise.all([terminate(bridge), terminate(worker)]);
    notes.push(`both exited ${((Date.now() - t0) / 1000).toFixed(1)} s after SIGTERM (exit ${bridge.child.exitCode ?? bridge.child.signalCode}, ${worker.child.exitCode ?? worker.child.signalCode})`);
    await Promise.all([stage.startWorker(), stage.startBridge()]);
    await sending;
    return { sources: [], endedAt: Date.now() };
  },
};

/**
 * A worker running a rebuilt workflow bundle takes over cascades in flight:
 * the bundle is built from the workflows the tree ships (with its `patched()`
 * changes, if any), the old worker is stopped mid-cascade, the new one started.
 */
export const workflowChange: FaultDefinition = {
  name: 'workflow-change',
  description: 'worker killed mid-cascade, a worker built from a rebuilt workflow bundle takes over',
  async run(stage, register) {
    const workloads = [await stage.workload('entity-deleted', 2, stage.settings.documentsPerEntity * 2), await stage.workload('account-events', stage.settings.eventsPerRoute)];
    const patches = countPatchedCalls();
    const notes: string[] = [patches > 0 ? `new bundle has ${patches} patched() call(s)` : 'no patched() change in workflows/: the same workflow code, rebuilt'];
    register([toRowSource('workflow-change', this.description, workloads, notes)]);
    const bundle = path.join(await mkdtemp(path.join(os.tmpdir(), 'cascade-faults-bundle-')), 'workflow-bundle.js');
    await writeWorkflowBundle(bundle);
    // Small pages: each cascade runs many pages, so the new worker must replay long histories with its own bundle.
    const pages = { CASCADE_ARCHIVE_PAGE_SIZE: '100' };
    const worker = await stage.startWorker(pages);
    await stage.startBridge();
    await sendAll(stage, workloads);
    const first = workloads[0];
    await waitFor(async () => (first ? await readProgress([first]) : 1) > 0.1, 120_000);
    notes.push(`old worker killed at ${toPercent(await readProgress(workloads))} of effects`);
    // SIGKILL: the old worker drains nothing, so every cascade in flight continues on the new bundle.
    await killHard(worker);
    await stage.startWorker({ ...pages, CASCADE_WORKFLOW_BUNDLE: bundle });
    return { sources: [], endedAt: Date.now() };
  },
};

/** `patched(…)` calls in the shipped (compiled) workflow sources: `patched(` or, as tsc emits it, `.patched)(`. */
function countPatchedCalls(): number {
  const dir = path.dirname(resolveWorkflowsPath());
  let count = 0;
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.js')) count += (readFileSync(path.join(dir, file), 'utf8').match(/\bpatched\)?\(/g) ?? []).length;
  }
  return count;
}
