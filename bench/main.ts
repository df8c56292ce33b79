/*
 * `npm run bench [-- --quick] [--scenarios 1,3,6] [--events N] [--repetitions N]`:
 * brings up the local stack, runs the scenarios, prints one table and writes
 * it as JSON and Markdown under bench/results/. Speed is reported, never
 * asserted; the run fails only when an event was not processed exactly once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { type BenchEnv, createBenchEnv } from './bench-env';
import { killChildren } from './children';
import { Measurements } from './measurements';
import { startPeerProcess } from './peer-process';
import { toBenchReport, toMarkdown, toText } from './report';
import { runBridge, runLatency, runPeer, runScaleOut, runSqsCeiling, runTemporalCeiling } from './scenarios/account-scenarios';
import { runBigCascade } from './scenarios/big-cascade';
import { runMemory } from './scenarios/memory';
import { BIG_CASCADE_PAGE_SIZES, type BenchSettings, toBenchSettings } from './settings';
import { toSpread } from './stats';
import { toErrorMessage } from '../src/errors/error-message';

const ALL_SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');

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

async function run(options: { quick?: boolean; scenarios?: number[]; events?: number; repetitions?: number }): Promise<number> {
  const settings = toBenchSettings(options);
  const selected = new Set(options.scenarios ?? ALL_SCENARIOS);
  const logger = pino({ level: process.env.CASCADE_BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  log(`settings ${JSON.stringify(settings)}; scenarios ${[...selected].join(', ')}`);
  const started = Date.now();
  const env = await createBenchEnv(logger);
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
      log(`${label}…`);
      try {
        await fn();
      } catch (error) {
        m.check(label, false, toErrorMessage(error));
      }
      log(`${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    // Interleave the throughput scenarios, so machine noise touches each of them alike.
    for (let rep = 1; rep <= settings.repetitions; rep++) {
      const tag = `(repetition ${rep}/${settings.repetitions})`;
      if (selected.has(1)) await timed(`1. Temporal ceiling ${tag}`, () => runTemporalCeiling(env, settings, m));
      if (selected.has(2)) await timed(`2. SQS ceiling ${tag}`, () => runSqsCeiling(env, settings, m));
      if (selected.has(3)) await timed(`3. bridge ${tag}`, () => runBridge(env, settings, m));
      if (selected.has(5)) await timed(`5. peer ${tag}`, () => runPeer(env, settings, m, (queueUrl) => startPeerProcess(env.baseEnv, queueUrl)));
      if (selected.has(8)) await timed(`8. scale-out ${tag}`, () => runScaleOut(env, settings, m));
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
    }
  } finally {
    await env.close();
  }
  const report = toBenchReport(m, settings);
  process.stdout.write(`\n${toText(report)}\n\n`);
  const mode = settings.quick ? 'quick' : 'full';
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  for (const name of [`${mode}-${stamp}`, `${mode}-latest`]) {
    await writeFile(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(RESULTS_DIR, `${name}.md`), toMarkdown(report));
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
  .action(async (options: { quick?: boolean; scenarios?: number[]; events?: number; repetitions?: number }) => {
    process.exitCode = await run(options);
  });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
