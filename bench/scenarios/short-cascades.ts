import type { WorkflowType } from '../../src/temporal/workflow-type';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { createWorkflowStarter } from '../../src/bridge/workflow-starter';
import { createAccountEventsRoute } from '../../src/routes/account-events';
import { toWorkflowId } from '../../src/routes/route';
import type { BenchEnv } from '../bench-env';
import { startCascadeProcess } from '../cascade-process';
import type { Measurements } from '../measurements';
import type { BenchSettings } from '../settings';
import { countRetired, createBenchQueues, createRunIds, seedUsers, toDeleteBody, waitForCount, waitForRetired } from '../workload';
import { toAccountEnv } from './account-scenarios';

/** How a short cascade's step runs: as Cascade ships it (a local activity) or as the reference (a regular activity). */
export type ShortStepVariant = 'local' | 'reference';

/** The workflow each variant starts: the same cascade, the same statement. */
/**
 * The reference workflow is registered only by the bench's own bundle (bench/workflows), so it is not a
 * production {@link WorkflowType}; the bench's worker runs that bundle, where the name exists.
 */
const WORKFLOW_TYPES: Record<ShortStepVariant, WorkflowType> = { local: 'accountEventsWorkflow', reference: 'accountEventsReferenceWorkflow' as WorkflowType };

let benchBundle: Promise<string> | undefined;

/**
 * The bench workers' workflow bundle (bench/workflows: Cascade's workflows
 * and the reference workflows), built once per bench run into a temporary
 * directory removed when the bench exits.
 */
function buildBenchWorkflowBundle(): Promise<string> {
  benchBundle ??= (async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cascade-bench-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'workflow-bundle.js');
    await writeFile(file, code);
    return file;
  })();
  return benchBundle;
}

/**
 * 9. Short cascades: N account-events deletes (one UPDATE each) started
 * directly with the bridge's start call at its concurrency, until every
 * workflow completed (Temporal's close times), twice in the same run: as
 * Cascade runs them (the step a local activity, one workflow task per
 * cascade) and as the regular-activity reference (workflow task, activity
 * task, workflow task). Each variant gets a fresh worker running the bench
 * bundle, warmed up by N/20 cascades of its kind (at least 10) before the
 * clock starts; the order alternates between repetitions.
 */
export async function runShortCascades(env: BenchEnv, settings: BenchSettings, m: Measurements, repetition: number): Promise<void> {
  const bundle = await buildBenchWorkflowBundle();
  const order: ShortStepVariant[] = repetition % 2 === 1 ? ['local', 'reference'] : ['reference', 'local'];
  for (const variant of order) await runVariant(env, settings, m, variant, bundle);
}

async function runVariant(env: BenchEnv, settings: BenchSettings, m: Measurements, variant: ShortStepVariant, bundle: string): Promise<void> {
  const n = settings.events;
  const ids = createRunIds(`short-${variant}`);
  // A few cascades of the same kind first, on their own users, so the worker is polling and warm when the clock starts.
  const warmUp = { run: `${ids.run}w`, n: Math.max(10, Math.round(n / 20)) };
  await seedUsers(env.prisma, ids.run, n);
  await seedUsers(env.prisma, warmUp.run, warmUp.n);
  const queues = await createBenchQueues(env.sqs, ids.run);
  const worker = await startCascadeProcess('worker', toAccountEnv(env, ids, queues, settings, { CASCADE_WORKFLOW_BUNDLE: bundle }));
  try {
    const startCascade = createWorkflowStarter({ client: env.temporal, taskQueue: ids.taskQueue, activityPolicy: env.config.activity });
    const accountEventsRoute = createAccountEventsRoute(env.config);
    const route = { ...accountEventsRoute, workflowType: WORKFLOW_TYPES[variant] };
    const toEvents = (run: string, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const parsed = route.parse(JSON.parse(toDeleteBody(run, i)), { messageId: `short-${i}`, sentAt: new Date() });
        if (parsed.kind !== 'event') throw new Error(`bench event ${i} did not parse: ${JSON.stringify(parsed)}`);
        return parsed;
      });
    const startAll = async (events: ReturnType<typeof toEvents>): Promise<number> => {
      let next = 0;
      let started = 0;
      await Promise.all(
        Array.from({ length: settings.maxInFlight }, async () => {
          while (next < events.length) {
            const event = events[next++];
            if (event === undefined) break;
            const result = await startCascade({ route, eventKey: event.eventKey, event: event.event, memo: { queueUrl: 'direct', sqsMessageId: 'direct', receivedAt: new Date().toISOString() } });
            if (result.status === 'started') started += 1;
          }
        }),
      );
      return started;
    };
    const completed = `TaskQueue = '${ids.taskQueue}' AND ExecutionStatus = 'Completed'`;
    const completedCount = async () => (await env.temporal.workflow.count(completed)).count;
    await startAll(toEvents(warmUp.run, warmUp.n));
    await waitForCount(`9. ${variant} warm-up cascades completed`, completedCount, warmUp.n, 120_000, 100);

    const events = toEvents(ids.run, n);
    const cpuBefore = await readCpuMs(worker.child.pid ?? 0);
    const t0 = Date.now();
    const started = await startAll(events);
    await waitForRetired(env.prisma, ids.run, n, 120_000 + n * 100);
    await waitForCount(`9. ${variant} cascades completed`, completedCount, warmUp.n + n, 120_000, 250);
    let lastClose = 0;
    for await (const execution of env.temporal.workflow.list({ query: completed })) lastClose = Math.max(lastClose, execution.closeTime?.getTime() ?? 0);
    m.add(`short.${variant}CompleteMs`, lastClose - t0);
    m.add(`short.${variant}WorkerCpuMs`, ((await readCpuMs(worker.child.pid ?? 0)) - cpuBefore) / n);

    const first = events[0];
    const history = first ? ((await env.temporal.workflow.getHandle(toWorkflowId('account-events', first.eventKey)).fetchHistory()).events ?? []) : [];
    m.add(`short.${variant}WorkflowTasks`, history.filter((e) => e.workflowTaskCompletedEventAttributes).length);
    m.add(`short.${variant}HistoryEvents`, history.length);
    m.check(`9. every ${variant} cascade started once`, started === n, `${started} of ${n}`);
    m.check(`9. every user of the ${variant} run retired once`, (await countRetired(env.prisma, ids.run)).count === n);
  } finally {
    await worker.stop();
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
async function readCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
