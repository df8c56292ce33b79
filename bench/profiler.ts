/*
 * `npm run bench -- --profile`: where each scenario's time goes, measured
 * while it runs. Four views, each taken as a difference between the
 * scenario's start and end:
 * - CPU seconds of every process of the stack and of Cascade, read from
 *   /proc once a second (a process that exits during the scenario keeps its
 *   last reading);
 * - the Temporal server's own Prometheus histograms: `service_latency` (time
 *   inside the server per API call) and `persistence_latency` (time per
 *   persistence operation), by operation;
 * - PostgreSQL's `pg_stat_statements` (the stack runs with it loaded), reset
 *   at the start: the statements that took the database's time;
 * - a V8 CPU profile of every Cascade process started during the scenario
 *   (`--cpu-prof`), summarised by package and by function.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BenchEnv } from './bench-env';
import { withDatabase } from '../src/stack/postgres';
import { toErrorMessage } from '../src/errors/error-message';

/** CPU seconds of one kind of process during a scenario. */
export interface ProcessCpu {
  readonly process: string;
  readonly cpuSeconds: number;
}

/** One operation of a Temporal latency histogram during a scenario. */
export interface OperationLatency {
  readonly operation: string;
  readonly calls: number;
  readonly totalSeconds: number;
}

/** One statement of `pg_stat_statements` during a scenario. */
export interface StatementTime {
  readonly database: string;
  readonly statement: string;
  readonly calls: number;
  readonly totalMs: number;
}

/** What one V8 CPU profile of a Cascade process says. */
export interface CpuProfileSummary {
  readonly process: string;
  readonly wallSeconds: number;
  /** Share of the samples not idle. */
  readonly busyShare: number;
  /** Busy samples by package (`@temporalio/worker`, `node:internal`, `(garbage collector)`, `cascade`…), largest first. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly share: number }>;
  /** Busy samples by function, largest first. */
  readonly functions: ReadonlyArray<{ readonly name: string; readonly share: number }>;
}

/** Where one scenario's time went. */
export interface ScenarioProfile {
  readonly temporal: string;
  readonly scenario: string;
  readonly wallSeconds: number;
  readonly cores: number;
  readonly cpu: readonly ProcessCpu[];
  readonly serviceLatency: readonly OperationLatency[];
  readonly persistenceLatency: readonly OperationLatency[];
  readonly statements: readonly StatementTime[];
  readonly cpuProfiles: readonly CpuProfileSummary[];
  /** Views that could not be read, with the reason. */
  readonly missing: readonly string[];
}

const TOP = 8;
const CLOCK_TICKS_PER_SECOND = 100;

/** The kind of process a command line belongs to, or undefined when it is none of the bench's. */
function classify(pid: number, cmdline: string): string | undefined {
  if (pid === process.pid) return 'bench driver';
  if (/cascade\.js (bridge|worker|start)\b/.test(cmdline)) return `cascade ${/cascade\.js (\w+)/.exec(cmdline)?.[1] ?? ''}`;
  if (/peer-process|peer-consumer/.test(cmdline)) return 'peer consumer';
  if (/temporal-ui-server/.test(cmdline)) return 'Temporal Web UI';
  if (/temporal-server|temporal(\S*)? server start-dev/.test(cmdline)) return 'Temporal';
  if (/(^|\/)postgres( |$)/.test(cmdline) || cmdline.startsWith('postgres:')) return 'PostgreSQL';
  if (/elasticmq/i.test(cmdline)) return 'ElasticMQ';
  if (/moto/.test(cmdline)) return 'moto';
  return undefined;
}

/** utime + stime of every process of the bench, in clock ticks, by pid. */
async function readProcessTicks(): Promise<Map<number, { kind: string; ticks: number }>> {
  const found = new Map<number, { kind: string; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
      const kind = classify(pid, cmdline);
      if (kind === undefined) continue;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(pid, { kind, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited while being read
    }
  }
  return found;
}

/** Sums of `<histogram>_sum` / `_count` by `operation` label in Prometheus text. */
function readHistogram(text: string, histogram: string): Map<string, { sum: number; count: number }> {
  const byOperation = new Map<string, { sum: number; count: number }>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${histogram}_(sum|count)\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const operation = /operation="([^"]*)"/.exec(match[2] ?? '')?.[1] ?? '(none)';
    const totals = byOperation.get(operation) ?? { sum: 0, count: 0 };
    if (match[1] === 'sum') totals.sum += Number(match[3]);
    else totals.count += Number(match[3]);
    byOperation.set(operation, totals);
  }
  return byOperation;
}

function diffHistogram(before: Map<string, { sum: number; count: number }>, after: Map<string, { sum: number; count: number }>): OperationLatency[] {
  return [...after.entries()]
    .map(([operation, a]) => {
      const b = before.get(operation) ?? { sum: 0, count: 0 };
      return { operation, calls: a.count - b.count, totalSeconds: a.sum - b.sum };
    })
    .filter((o) => o.calls > 0)
    .sort((x, y) => y.totalSeconds - x.totalSeconds)
    .slice(0, TOP);
}

/** The package a V8 call frame belongs to. */
function toPackage(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  return 'cascade';
}

interface V8CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly hitCount?: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly startTime: number;
  readonly endTime: number;
}

/** Self samples of a V8 CPU profile by package and by function. */
export function summariseCpuProfile(name: string, profile: V8CpuProfile): CpuProfileSummary {
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    if (hits === 0) continue;
    const pkg = toPackage(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + hits);
    const fn = url === '' ? functionName : `${functionName || '(anonymous)'} ${pkg === 'cascade' ? path.basename(url) : pkg}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + hits);
  }
  const busy = total - idle;
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([entry, hits]) => ({ name: entry, share: busy > 0 ? hits / busy : 0 }));
  return { process: name, wallSeconds: (profile.endTime - profile.startTime) / 1e6, busyShare: total > 0 ? busy / total : 0, packages: top(packages), functions: top(functions) };
}

/** A profile being taken; `stop` ends it and says what it found. */
export interface RunningProfile {
  stop(): Promise<ScenarioProfile>;
}

/**
 * Starts profiling a scenario on `env`: resets `pg_stat_statements`, reads the
 * Temporal metrics and every process's CPU, samples CPU once a second, and
 * points the Cascade processes the scenario starts at a CPU-profile directory
 * of their own (`CASCADE_BENCH_CPU_PROF`).
 */
export async function startProfile(env: BenchEnv, scenario: string, cpuProfileDir: string, cores: number): Promise<RunningProfile> {
  const missing: string[] = [];
  const adminUrl = env.endpoints.DATABASE_URL.replace(/\/[^/?]*(\?.*)?$/, '/postgres$1');
  const statementsReady = withDatabase(adminUrl, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  }).then(
    () => true,
    (error: unknown) => {
      missing.push(`pg_stat_statements: ${toErrorMessage(error)}`);
      return false;
    },
  );
  const readMetrics = async () => {
    try {
      const response = await fetch(env.endpoints.TEMPORAL_METRICS_URL);
      return response.ok ? await response.text() : undefined;
    } catch {
      return undefined;
    }
  };
  const metricsBefore = await readMetrics();
  if (metricsBefore === undefined) missing.push(`Temporal metrics: ${env.endpoints.TEMPORAL_METRICS_URL} did not answer`);
  const hasStatements = await statementsReady;

  await rm(cpuProfileDir, { recursive: true, force: true });
  await mkdir(cpuProfileDir, { recursive: true });
  const previousProfileDir = process.env.CASCADE_BENCH_CPU_PROF;
  process.env.CASCADE_BENCH_CPU_PROF = cpuProfileDir;

  const first = await readProcessTicks();
  const last = new Map(first);
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      for (const [pid, reading] of await readProcessTicks()) last.set(pid, reading);
    });
  }, 1000);
  const started = Date.now();

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      for (const [pid, reading] of await readProcessTicks()) last.set(pid, reading);
      const wallSeconds = (Date.now() - started) / 1000;
      if (previousProfileDir === undefined) delete process.env.CASCADE_BENCH_CPU_PROF;
      else process.env.CASCADE_BENCH_CPU_PROF = previousProfileDir;

      const cpuByKind = new Map<string, number>();
      for (const [pid, reading] of last) {
        const ticks = reading.ticks - (first.get(pid)?.ticks ?? 0);
        cpuByKind.set(reading.kind, (cpuByKind.get(reading.kind) ?? 0) + ticks / CLOCK_TICKS_PER_SECOND);
      }
      const cpu = [...cpuByKind.entries()].map(([kind, cpuSeconds]) => ({ process: kind, cpuSeconds })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);

      const metricsAfter = await readMetrics();
      const latency = (histogram: string) => (metricsBefore !== undefined && metricsAfter !== undefined ? diffHistogram(readHistogram(metricsBefore, histogram), readHistogram(metricsAfter, histogram)) : []);

      const statements = hasStatements
        ? await withDatabase(adminUrl, async (client) => {
            const { rows } = await client.query<{ database: string; query: string; calls: string; total: number }>(
              `SELECT d.datname AS database, s.query, s.calls::text AS calls, s.total_exec_time AS total
                 FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE s.query NOT LIKE '%pg_stat_statements%'
                ORDER BY s.total_exec_time DESC LIMIT ${TOP}`,
            );
            return rows.map((r) => ({ database: r.database, statement: r.query.replace(/\s+/g, ' ').slice(0, 140), calls: Number(r.calls), totalMs: r.total }));
          }).catch((error: unknown) => {
            missing.push(`pg_stat_statements: ${toErrorMessage(error)}`);
            return [];
          })
        : [];

      const cpuProfiles: CpuProfileSummary[] = [];
      for (const file of (await readdir(cpuProfileDir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
        try {
          cpuProfiles.push(summariseCpuProfile(file.replace(/\.cpuprofile$/, ''), JSON.parse(await readFile(path.join(cpuProfileDir, file), 'utf8')) as V8CpuProfile));
        } catch (error) {
          missing.push(`CPU profile ${file}: ${toErrorMessage(error)}`);
        }
      }
      return {
        temporal: env.temporalVariant,
        scenario,
        wallSeconds,
        cores,
        cpu,
        serviceLatency: latency('service_latency'),
        persistenceLatency: latency('persistence_latency'),
        statements,
        cpuProfiles,
        missing,
      };
    },
  };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (share: number) => `${Math.round(share * 100)}%`;
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One scenario's profile as Markdown. */
export function toProfileMarkdown(p: ScenarioProfile): string {
  const available = p.wallSeconds * p.cores;
  const used = p.cpu.reduce((sum, c) => sum + c.cpuSeconds, 0);
  const lines = [
    `### ${p.scenario} [${p.temporal}]: ${fmt(p.wallSeconds)} s`,
    '',
    `CPU seconds by process (${fmt(available)} available on ${p.cores} cores; ${fmt(used)} used, ${pct(available > 0 ? used / available : 0)}):`,
    p.cpu.map((c) => `${c.process} ${fmt(c.cpuSeconds)}`).join(', ') || '(none read)',
    '',
  ];
  const latencyTable = (title: string, rows: readonly OperationLatency[]) =>
    rows.length === 0
      ? []
      : [title, '', '| operation | calls | mean ms | total s |', '| --- | --- | --- | --- |', ...rows.map((r) => `| ${cell(r.operation)} | ${r.calls.toLocaleString('en-US')} | ${fmt((r.totalSeconds / r.calls) * 1000)} | ${fmt(r.totalSeconds)} |`), ''];
  lines.push(...latencyTable("Temporal's `service_latency` (time inside the server per API call):", p.serviceLatency));
  lines.push(...latencyTable("Temporal's `persistence_latency` (time per persistence operation):", p.persistenceLatency));
  if (p.statements.length > 0) {
    lines.push(
      "PostgreSQL's `pg_stat_statements` (by total time):",
      '',
      '| database | statement | calls | mean ms | total s |',
      '| --- | --- | --- | --- | --- |',
      ...p.statements.map((s) => `| ${s.database} | \`${cell(s.statement)}\` | ${s.calls.toLocaleString('en-US')} | ${fmt(s.totalMs / Math.max(1, s.calls), 2)} | ${fmt(s.totalMs / 1000)} |`),
      '',
    );
  }
  if (p.cpuProfiles.length > 0) {
    lines.push(
      "Cascade processes' V8 CPU profiles (busy share of wall time; busy samples by package and the top functions):",
      '',
      '| process | wall s | busy | packages | functions |',
      '| --- | --- | --- | --- | --- |',
      ...p.cpuProfiles.map(
        (c) =>
          `| ${c.process} | ${fmt(c.wallSeconds)} | ${pct(c.busyShare)} | ${cell(c.packages.slice(0, 5).map((x) => `${x.name} ${pct(x.share)}`).join(', '))} | ${cell(c.functions.slice(0, 4).map((x) => `${x.name} ${pct(x.share)}`).join(', '))} |`,
      ),
      '',
    );
  }
  if (p.missing.length > 0) lines.push(`Not read: ${p.missing.join('; ')}.`, '');
  return lines.join('\n');
}
