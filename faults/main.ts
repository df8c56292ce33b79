/*
 * `npm run faults [-- --quick] [--faults worker-sigkill,poison]`: brings up the
 * local stack, injects each fault for real (SIGKILL, SIGSTOP, SIGTERM, stopped
 * servers, a held row lock, poison input) while Cascade processes real events,
 * counts every event's effects from the real state, prints one table and
 * writes it as JSON and Markdown under faults/results/. Exits 1 when an
 * effect was lost or duplicated or an operator is needed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { type BenchEnv, createBenchEnv } from '../bench/bench-env';
import { killChildren } from '../bench/children';
import type { FaultDefinition, FaultRun } from './fault-definition';
import { createFaultStage } from './fault-stage';
import { poison, sameEventManyTimes } from './input-faults';
import { type FaultRow, type RowSource, observeRows } from './outcome';
import { postgresDown, rowLock, s3SnsDown, sqsDown, temporalDown } from './outage-faults';
import { restoreStackServices } from './process-control';
import { bridgeSigkill, bridgeSigstop, sigtermUnderLoad, workerSigkill, workflowChange } from './process-faults';
import { toFaultReport, toMarkdown, toProblems, toText } from './report';
import { type FaultSettings, toFaultSettings } from './settings';

const ALL_FAULTS: readonly FaultDefinition[] = [
  workerSigkill, bridgeSigkill, bridgeSigstop, temporalDown, postgresDown, s3SnsDown, sqsDown, rowLock, sameEventManyTimes, sigtermUnderLoad, poison, workflowChange,
];
const RESULTS_DIR = path.join(__dirname, '..', '..', 'faults', 'results');

function toFaultNames(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((name) => !ALL_FAULTS.some((f) => f.name === name));
  if (unknown.length > 0 || names.length === 0) throw new InvalidArgumentError(`unknown fault(s) ${unknown.join(', ')}; faults are ${ALL_FAULTS.map((f) => f.name).join(', ')}`);
  return names;
}

function log(message: string): void {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Longest a fault's own steps (set-up, outage, restart) may take before it is observed as it stands. */
function stepTimeoutMs(settings: FaultSettings): number {
  return Math.max(settings.temporalDownMs, settings.postgresDownMs, settings.motoDownMs, settings.sqsDownMs, settings.rowLockMs, settings.bridgeStopMs) + 600_000;
}

/** Runs one fault on a stage of its own; whatever happens, its processes stop and stopped services start again. */
async function runFault(env: BenchEnv, settings: FaultSettings, fault: FaultDefinition): Promise<FaultRow[]> {
  const stage = await createFaultStage(env, settings, fault.name);
  let sources: readonly RowSource[] = [];
  const problems: string[] = [];
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), stepTimeoutMs(settings));
    });
    let run: FaultRun | undefined;
    try {
      run = await Promise.race([fault.run(stage, (registered) => (sources = registered)), timeout]);
      if (run === undefined) problems.push(`the fault's own steps did not finish in ${Math.round(stepTimeoutMs(settings) / 1000)} s`);
    } catch (error) {
      problems.push(`fault step failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    await restoreStackServices(env);
    const unexpectedExits = stage.processes.filter((p) => p.child.exitCode !== null && p.child.exitCode !== 0 && p.child.signalCode === null);
    if (sources.length === 0) {
      return [{ fault: fault.name, description: fault.description, eventsSent: 0, effectsExpected: 0, effectsObserved: 0, lost: 0, duplicatedEffects: 0, dlqMessages: 0, quarantined: 0, operatorActions: 1, recoverSeconds: null, recovered: false, notes: ['harness could not set the fault up', ...problems] }];
    }
    const rows = await observeRows(stage, sources, run?.endedAt ?? Date.now());
    const exits = stage.processes.filter((p) => p.child.exitCode !== null && p.child.exitCode !== 0 && p.child.signalCode === null);
    const exitNotes = [...new Set([...unexpectedExits, ...exits])].map((p) => `a ${p.role} exited on its own with code ${p.child.exitCode}`);
    return rows.map((row) => ({ ...row, notes: [...row.notes, ...problems, ...exitNotes] }));
  } finally {
    await restoreStackServices(env).catch((error: unknown) => log(`could not restore the stack: ${String(error)}`));
    await stage.close();
  }
}

async function run(options: { quick?: boolean; faults?: string[] }): Promise<number> {
  const settings = toFaultSettings(options);
  const selected = options.faults ? ALL_FAULTS.filter((f) => options.faults?.includes(f.name)) : ALL_FAULTS;
  const logger = pino({ level: process.env.CASCADE_BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  log(`${settings.quick ? 'quick' : 'full'} run of ${selected.map((f) => f.name).join(', ')}`);
  const started = Date.now();
  const env = await createBenchEnv(logger);
  // Ctrl-C or SIGTERM: kill Cascade's processes, stop the whole stack (stopped services included), write nothing.
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the suite's processes and its stack (no results written)`);
    void killChildren()
      .then(() => env.close())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const rows: FaultRow[] = [];
  try {
    for (const fault of selected) {
      const t0 = Date.now();
      log(`${fault.name}: ${fault.description}…`);
      const faultRows = await runFault(env, settings, fault);
      rows.push(...faultRows);
      for (const r of faultRows) {
        log(`${r.fault}: lost ${r.lost}, duplicated ${r.duplicatedEffects}, DLQ ${r.dlqMessages}, operator actions ${r.operatorActions}, ${r.recoverSeconds === null ? 'did not recover' : `recovered in ${r.recoverSeconds} s`}${r.notes.length > 0 ? ` (${r.notes.join('; ')})` : ''}`);
      }
      log(`${fault.name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await sleep(500);
    }
  } finally {
    await env.close();
  }
  const report = toFaultReport(settings, selected.map((f) => f.name), rows, Math.round((Date.now() - started) / 1000));
  process.stdout.write(`\n${toText(report)}\n\n`);
  const every = selected.length === ALL_FAULTS.length;
  const mode = settings.quick ? (every ? 'quick' : 'quick-partial') : every ? 'full' : 'partial';
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  for (const name of [`${mode}-${stamp}`, `${mode}-latest`]) {
    await writeFile(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(RESULTS_DIR, `${name}.md`), toMarkdown(report));
  }
  log(`results written to ${path.join(RESULTS_DIR, `${mode}-latest.{json,md}`)} after ${report.durationSeconds} s`);
  const problems = toProblems(report);
  if (problems.length > 0) {
    process.stderr.write(`\nBroken promises:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
    return 1;
  }
  process.stderr.write('Every effect exactly once, no operator action, in every fault.\n');
  return 0;
}

const program = new Command('faults')
  .description("injects real faults (SIGKILL, SIGSTOP, SIGTERM, stopped servers, row locks, poison) and counts every event's effects")
  .option('--quick', 'short outages and small volumes (a few minutes; run in CI)')
  .option('--faults <list>', `comma-separated faults to run (${ALL_FAULTS.map((f) => f.name).join(', ')})`, toFaultNames)
  .action(async (options: { quick?: boolean; faults?: string[] }) => {
    process.exitCode = await run(options);
  });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
