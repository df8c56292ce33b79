/*
 * `npm run bench [-- --quick] [--scenarios 1,3,6] [--events N] [--repetitions N] [--temporal dev|server|both]`:
 * brings up the local stack (with each Temporal asked for, one after the
 * other), runs the scenarios, prints one table (every row names its Temporal)
 * and writes it as JSON and Markdown under bench/results/ (`--scenarios`:
 * `partial-latest.*`, never `full-latest.*`; `--profile`: `profile-latest.*`,
 * with where each scenario's time went). Speed is reported, never
 * asserted; the run fails only when an event was not processed exactly once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { type BenchEnv, createBenchEnv } from './bench-env';
import { killChildren } from './children';
import { Measurements } from './measurements';
import { startPeerProcess } from './peer-process';
import { type BenchReport, mergeBenchReports, toBenchReport, toMarkdown, toText } from './report';
import { runBridge, runLatency, runPeer, runScaleOut, runSqsCeiling, runTemporalCeiling } from './scenarios/account-scenarios';
import { runBigCascade } from './scenarios/big-cascade';
import { runMemory } from './scenarios/memory';
import { runShortCascades } from './scenarios/short-cascades';
import { BIG_CASCADE_PAGE_SIZES, type BenchSettings, toBenchSettings } from './settings';
import { toSpread } from './stats';
import { runPublishingCeiling } from './scenarios/publishing-ceiling';
import { type ScenarioProfile, startProfile, toProfileMarkdown } from './profiler';
import { STACK_TEMPORAL_ENV, TEMPORAL_VARIANTS, type TemporalVariant, toTemporalVariant } from '../src/stack';
import { toErrorMessage } from '../src/errors/error-message';

const ALL_SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');
/** `--temporal`: one of the stack's Temporals, or both one after the other. */
const TEMPORAL_CHOICES = [...TEMPORAL_VARIANTS, 'both'] as const;
type TemporalChoice = (typeof TEMPORAL_CHOICES)[number];

function toVariants(choice: TemporalChoice): TemporalVariant[] {
  return choice === 'both' ? [...TEMPORAL_VARIANTS] : [choice];
}

function toCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function toScenarios(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !ALL_SCENARIOS.includes(n as (typeof ALL_SCENARIOS)[number]))) throw new InvalidArgumentError(`scenarios are ${ALL_SCENARIOS.join(', ')}`);
  return list;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Events per second the bridge completed in scenario 3 (or a first measurement of it, when 3 is not selected). */
async function measureCapacity(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<number> {
  if (m.get('bridge.completeMs').length === 0) {
    log('capacity: one bridge run to size the steady load');
    await runBridge(env, settings, m);
  }
  return (settings.events * 1000) / toSpread(m.get('bridge.completeMs')).median;
}

/** Options of one bench run, as parsed from the command line. */
interface RunOptions {
  quick?: boolean;
  scenarios?: number[];
  events?: number;
  repetitions?: number;
  temporal?: TemporalChoice;
  profile?: boolean;
}

/**
 * Runs the selected scenarios on a stack with the given Temporal, and reports
 * them labelled with it; with `profiles`, profiles each scenario into it.
 */
async function runOn(temporal: TemporalVariant, settings: BenchSettings, selected: ReadonlySet<number>, logger: pino.Logger, profiles?: ScenarioProfile[]): Promise<BenchReport> {
  log(`Temporal: ${temporal === 'dev' ? 'the CLI dev server (SQLite)' : 'the Temporal server on PostgreSQL'}`);
  const env = await createBenchEnv(logger, temporal, { postgresStatements: profiles !== undefined });
  // Ctrl-C or SIGTERM: stop Cascade's processes and the stack, so nothing is left running; no results are written.
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the bench's processes and its stack (no results written)`);
    void killChildren()
      .then(() => env.close())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const m = new Measurements();
  try {
    const timed = async (label: string, fn: () => Promise<void>) => {
      const t0 = Date.now();
      log(`${label} [${temporal}]…`);
      const profiling = profiles && (await startProfile(env, label, path.join(os.tmpdir(), `cascade-bench-cpu-${process.pid}`), os.availableParallelism()));
      try {
        await fn();
      } catch (error) {
        m.check(label, false, toErrorMessage(error));
      }
      if (profiling) profiles?.push(await profiling.stop());
      log(`${label} [${temporal}] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    // Interleave the throughput scenarios, so machine noise touches each of them alike.
    for (let rep = 1; rep <= settings.repetitions; rep++) {
      const tag = `(repetition ${rep}/${settings.repetitions})`;
      if (selected.has(1)) await timed(`1. Temporal ceiling ${tag}`, () => runTemporalCeiling(env, settings, m));
      if (selected.has(2)) await timed(`2. SQS ceiling ${tag}`, () => runSqsCeiling(env, settings, m));
      if (selected.has(3)) await timed(`3. bridge ${tag}`, () => runBridge(env, settings, m));
      if (selected.has(5)) await timed(`5. peer ${tag}`, () => runPeer(env, settings, m, (queueUrl) => startPeerProcess(env.baseEnv, queueUrl)));
      if (selected.has(8)) await timed(`8. scale-out ${tag}`, () => runScaleOut(env, settings, m));
      if (selected.has(9)) await timed(`9. short cascades, local vs regular activity ${tag}`, () => runShortCascades(env, settings, m, rep));
    }
    if (selected.has(4) || selected.has(7)) {
      const capacity = await measureCapacity(env, settings, m);
      if (selected.has(4)) await timed('4. latency', () => runLatency(env, settings, m, capacity));
      if (selected.has(7)) await timed('7. memory', () => runMemory(env, settings, m, capacity));
    }
    if (selected.has(6)) {
      for (const [key, pageSize] of Object.entries(BIG_CASCADE_PAGE_SIZES)) {
        await timed(`6. big cascade, page size ${pageSize}`, () => runBigCascade(env, settings, m, pageSize, key));
      }
      await timed('6. publishing ceiling', () => runPublishingCeiling(env, settings, m));
    }
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
    await env.close();
  }
  return toBenchReport(m, settings, temporal);
}

/**
 * Result file names: `full` or `quick` for a run of every scenario, `partial`
 * or `quick-partial` for `--scenarios`, so a partial run never replaces the
 * latest complete one.
 */
function toResultMode(options: RunOptions): string {
  if (options.profile) return 'profile';
  const partial = options.scenarios !== undefined && ALL_SCENARIOS.some((n) => !options.scenarios?.includes(n));
  if (options.quick) return partial ? 'quick-partial' : 'quick';
  return partial ? 'partial' : 'full';
}

async function run(options: RunOptions): Promise<number> {
  const settings = toBenchSettings(options);
  const selected = new Set(options.scenarios ?? ALL_SCENARIOS);
  const variants = toVariants(options.temporal ?? toTemporalVariant());
  const logger = pino({ level: process.env.CASCADE_BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  log(`settings ${JSON.stringify(settings)}; scenarios ${[...selected].join(', ')}; Temporal ${variants.join(' then ')}`);
  const started = Date.now();
  const reports: BenchReport[] = [];
  const profiles: ScenarioProfile[] | undefined = options.profile ? [] : undefined;
  for (const temporal of variants) reports.push(await runOn(temporal, settings, selected, logger, profiles));
  const report = mergeBenchReports(reports);
  process.stdout.write(`\n${toText(report)}\n\n`);
  const profileText = profiles ? `\n## Where the time goes (--profile)\n\n${profiles.map(toProfileMarkdown).join('\n')}` : '';
  if (profileText !== '') process.stdout.write(`${profileText}\n`);
  const mode = toResultMode(options);
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  for (const name of [`${mode}-${stamp}`, `${mode}-latest`]) {
    await writeFile(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(profiles ? { ...report, profiles } : report, null, 2)}\n`);
    await writeFile(path.join(RESULTS_DIR, `${name}.md`), `${toMarkdown(report)}${profileText}`);
  }
  log(`results written to ${path.join(RESULTS_DIR, `${mode}-latest.{json,md}`)} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (report.problems.length > 0) {
    process.stderr.write(`\nCorrectness problems:\n${report.problems.map((p) => `- ${p}`).join('\n')}\n`);
    return 1;
  }
  process.stderr.write('Correctness: every event processed exactly once in every scenario.\n');
  return 0;
}

const program = new Command('bench')
  .description('throughput, latency and memory of the whole pipeline, side by side with its ceilings')
  .option('--quick', 'small sizes, one repetition (CI smoke test: asserts correctness only)')
  .option('--scenarios <list>', `comma-separated scenarios to run (${ALL_SCENARIOS.join(', ')})`, toScenarios)
  .option('--events <n>', 'events per throughput scenario', toCount)
  .option('--repetitions <n>', 'repetitions of the throughput scenarios', toCount)
  .option('--profile', 'profile every scenario: CPU by process, Temporal service and persistence latency, pg_stat_statements, V8 CPU profiles of Cascade (results: profile-latest.*)')
  .addOption(new Option('--temporal <which>', `Temporal to run every scenario on: the CLI dev server, the Temporal server on PostgreSQL, or both one after the other (default: $${STACK_TEMPORAL_ENV}, else dev)`).choices(TEMPORAL_CHOICES))
  .action(async (options: RunOptions) => {
    process.exitCode = await run(options);
  });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
