import os from 'node:os';
import { DEFAULT_ARCHIVE_PAGE_SIZE } from '../src/config';
import type { TemporalVariant } from '../src/stack';
import type { Measurements } from './measurements';
import { BIG_CASCADE_PAGE_SIZES, type BenchSettings } from './settings';
import { type Spread, toSpread } from './stats';

/** One line of the bench table: a figure, what it is compared with, and the target it is held to. */
export interface ReportRow {
  /** The Temporal the scenario ran on: `dev` (CLI dev server, SQLite) or `server` (Temporal server on PostgreSQL). */
  readonly temporal: TemporalVariant;
  readonly scenario: string;
  readonly figure: string;
  readonly value: string;
  readonly comparedWith: string;
  readonly ratio: string;
  readonly target: string;
  readonly verdict: '' | 'met' | 'missed';
}

/** Everything a bench run produced. */
export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly platform: string };
  readonly settings: BenchSettings;
  /** The Temporals the scenarios ran on, in order. */
  readonly temporal: readonly TemporalVariant[];
  readonly rows: ReportRow[];
  /** Correctness checks that failed (the run fails when there is any), each prefixed with its Temporal. */
  readonly problems: readonly string[];
  /** Every sample, by Temporal, then by key, for later analysis. */
  readonly samples: Partial<Record<TemporalVariant, Record<string, readonly number[]>>>;
}

const KEYS = [
  'temporal.startMs', 'temporal.meanStartMs', 'temporal.serverStartMs', 'temporal.completeMs', 'bridge.meanStartMs', 'bridge.serverStartMs', 'bridge.meanReceiveBatch', 'sqs.ms', 'bridge.startedMs', 'bridge.completeMs',
  'latency.ratePerSecond', 'latency.p50Ms', 'latency.p95Ms', 'latency.p99Ms', 'latency.startP50Ms', 'latency.runP50Ms', 'peer.completeMs',
  'big.writtenMs', 'big.completeMs', 'big.bulkMs', 'big.maxHistory', 'big.runs',
  'bigSmall.writtenMs', 'bigSmall.completeMs', 'bigSmall.bulkMs', 'bigSmall.maxHistory', 'bigSmall.runs', 'publish.ms',
  'memory.backlogProcessed', 'memory.bridgePeakMb', 'memory.workerPeakMb', 'memory.steadyRate', 'memory.bridgeStartMb', 'memory.bridgeEndMb', 'memory.workerStartMb', 'memory.workerEndMb',
  'scale.completeMs',
  'short.localCompleteMs', 'short.referenceCompleteMs', 'short.localWorkflowTasks', 'short.referenceWorkflowTasks', 'short.localHistoryEvents', 'short.referenceHistoryEvents', 'short.localWorkerCpuMs', 'short.referenceWorkerCpuMs',
] as const;

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spreadText = (s: Spread, unit: string, digits = 0) =>
  s.samples.length > 1 ? `${fmt(s.median, digits)} ${unit} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]` : `${fmt(s.median, digits)} ${unit}`;

/** Builds the table: every figure next to the ceiling or peer it is compared with, measured in the same run. */
export function toBenchReport(m: Measurements, settings: BenchSettings, temporal: TemporalVariant = 'dev'): BenchReport {
  const rows: ReportRow[] = [];
  const get = (key: string): Spread | undefined => (m.get(key).length > 0 ? toSpread(m.get(key)) : undefined);
  const rate = (key: string, items: number): Spread | undefined => (m.get(key).length > 0 ? toSpread(m.get(key).map((ms) => (items * 1000) / ms)) : undefined);
  const row = (r: Omit<ReportRow, 'temporal' | 'comparedWith' | 'ratio' | 'target' | 'verdict'> & Partial<ReportRow>) => rows.push({ temporal, comparedWith: '', ratio: '', target: '', verdict: '', ...r });
  const verdict = (ok: boolean): 'met' | 'missed' => (ok ? 'met' : 'missed');
  const n = settings.events;

  const directStarts = rate('temporal.startMs', n);
  const directComplete = rate('temporal.completeMs', n);
  if (directStarts && directComplete) {
    row({ scenario: `1. Temporal ceiling (${fmt(n)} workflows, ${settings.maxInFlight} at once)`, figure: 'direct starts', value: spreadText(directStarts, 'ev/s') });
    row({ scenario: '', figure: 'direct start + complete', value: spreadText(directComplete, 'ev/s') });
  }
  const sqs = rate('sqs.ms', n);
  if (sqs) row({ scenario: `2. SQS ceiling (${fmt(n)} messages)`, figure: 'receive + batch delete', value: spreadText(sqs, 'msg/s') });
  const bridgeStarts = rate('bridge.startedMs', n);
  const bridgeComplete = rate('bridge.completeMs', n);
  if (bridgeStarts && bridgeComplete) {
    const startRatio = directStarts ? bridgeStarts.median / directStarts.median : undefined;
    const completeRatio = directComplete ? bridgeComplete.median / directComplete.median : undefined;
    row({
      scenario: `3. Bridge (${fmt(n)} messages waiting)`,
      figure: 'workflows started',
      value: spreadText(bridgeStarts, 'ev/s'),
      comparedWith: directStarts ? `1. direct starts ${fmt(directStarts.median)} ev/s` : '',
      ratio: startRatio === undefined ? '' : fmt(startRatio, 2),
      target: '≥ 0.90',
      verdict: startRatio === undefined ? '' : verdict(startRatio >= 0.9),
    });
    row({
      scenario: '',
      figure: 'workflows completed',
      value: spreadText(bridgeComplete, 'ev/s'),
      comparedWith: directComplete ? `1. direct start + complete ${fmt(directComplete.median)} ev/s` : '',
      ratio: completeRatio === undefined ? '' : fmt(completeRatio, 2),
      target: '≥ 0.90',
      verdict: completeRatio === undefined ? '' : verdict(completeRatio >= 0.9),
    });
    const bridgeMean = get('bridge.meanStartMs');
    const directMean = get('temporal.meanStartMs');
    const receiveBatch = get('bridge.meanReceiveBatch');
    if (receiveBatch) row({ scenario: '', figure: 'messages per ReceiveMessage (diagnostic)', value: spreadText(receiveBatch, '', 1), target: '' });
    if (bridgeMean && directMean) row({ scenario: '', figure: 'mean start call (diagnostic)', value: spreadText(bridgeMean, 'ms'), comparedWith: `1. direct ${fmt(directMean.median)} ms`, ratio: fmt(bridgeMean.median / directMean.median, 2) });
    const bridgeServer = get('bridge.serverStartMs');
    const directServer = get('temporal.serverStartMs');
    if (bridgeServer && directServer) {
      row({ scenario: '', figure: "of which in the Temporal server (its service_latency, diagnostic)", value: spreadText(bridgeServer, 'ms'), comparedWith: `1. direct ${fmt(directServer.median)} ms`, ratio: fmt(bridgeServer.median / directServer.median, 2) });
    }
    if (sqs) row({ scenario: '', figure: 'workflows started vs SQS alone', value: spreadText(bridgeStarts, 'ev/s'), comparedWith: `2. SQS ceiling ${fmt(sqs.median)} msg/s`, ratio: fmt(bridgeStarts.median / sqs.median, 2) });
  }
  const latencyRate = get('latency.ratePerSecond');
  const p50 = get('latency.p50Ms');
  const p95 = get('latency.p95Ms');
  const p99 = get('latency.p99Ms');
  if (latencyRate && p50 && p95 && p99) {
    const scenario = `4. Latency, send → complete (${fmt(latencyRate.median, 1)} ev/s = ${fmt(settings.latencyLoad * 100)}% of 3's capacity, ${settings.latencySeconds} s)`;
    row({ scenario, figure: 'p50', value: spreadText(p50, 'ms'), target: '≤ 60 ms', verdict: verdict(p50.median <= 60) });
    row({ scenario: '', figure: 'p95', value: spreadText(p95, 'ms') });
    row({ scenario: '', figure: 'p99', value: spreadText(p99, 'ms'), target: '≤ 250 ms', verdict: verdict(p99.median <= 250) });
    const startP50 = get('latency.startP50Ms');
    const runP50 = get('latency.runP50Ms');
    if (startP50) row({ scenario: '', figure: 'p50 send → workflow started: SQS + bridge (diagnostic)', value: spreadText(startP50, 'ms') });
    if (runP50) row({ scenario: '', figure: 'p50 started → completed: Temporal + worker (diagnostic)', value: spreadText(runP50, 'ms') });
  }
  const peer = rate('peer.completeMs', n);
  if (peer) {
    row({ scenario: `5. Peer: sqs-consumer + Prisma, no Temporal (${fmt(n)} messages)`, figure: 'events handled', value: spreadText(peer, 'ev/s') });
    if (bridgeComplete) row({ scenario: '', figure: 'Cascade completed (3) vs peer', value: spreadText(bridgeComplete, 'ev/s'), comparedWith: `5. peer ${fmt(peer.median)} ev/s`, ratio: fmt(bridgeComplete.median / peer.median, 2) });
  }
  for (const [key, pageSize] of Object.entries(BIG_CASCADE_PAGE_SIZES)) {
    const label = `CASCADE_ARCHIVE_PAGE_SIZE=${pageSize}${pageSize === DEFAULT_ARCHIVE_PAGE_SIZE ? ' (default)' : ''}`;
    const written = get(`${key}.writtenMs`);
    const bulk = get(`${key}.bulkMs`);
    const completed = get(`${key}.completeMs`);
    const maxHistory = get(`${key}.maxHistory`);
    if (!(written && bulk && completed && maxHistory)) continue;
    const ratio = written.median / bulk.median;
    row({
      scenario: `6. Big cascade (${fmt(settings.bigDocuments)} documents), ${label}`,
      figure: 'archived + audit and document events written',
      value: `${fmt(written.median / 1000, 1)} s`,
      comparedWith: `bulk SQL in one transaction ${fmt(bulk.median / 1000, 1)} s`,
      ratio: `${fmt(ratio, 1)}×`,
      target: '≤ 1.5×',
      verdict: verdict(ratio <= 1.5),
    });
    row({ scenario: '', figure: 'until completed (every event published to SNS and SQS)', value: `${fmt(completed.median / 1000, 1)} s` });
    const publishing = get('publish.ms');
    if (publishing) {
      row({
        scenario: '',
        figure: 'until completed vs publishing alone',
        value: `${fmt(completed.median / 1000, 1)} s`,
        comparedWith: `publishing ceiling ${fmt(publishing.median / 1000, 1)} s`,
        ratio: `${fmt(completed.median / publishing.median, 1)}×`,
        target: '≤ 1.25×',
        verdict: verdict(completed.median / publishing.median <= 1.25),
      });
    }
    row({ scenario: '', figure: 'largest run history', value: `${fmt(maxHistory.max)} events in ${fmt(get(`${key}.runs`)?.max ?? 0)} runs`, target: '< 10,000', verdict: verdict(maxHistory.max < 10_000) });
  }
  const publishing = get('publish.ms');
  if (publishing) {
    row({
      scenario: `6. Publishing ceiling (${fmt(settings.bigDocuments)} + ${fmt(settings.bigDocuments)} events, ${settings.publishConcurrency} calls in flight per destination)`,
      figure: 'SNS PublishBatch + SQS SendMessageBatch alone',
      value: `${fmt(publishing.median / 1000, 1)} s (${fmt((2 * settings.bigDocuments * 1000) / publishing.median)} ev/s)`,
    });
  }
  const bridgePeak = get('memory.bridgePeakMb');
  const workerPeak = get('memory.workerPeakMb');
  const bridgeStart = get('memory.bridgeStartMb');
  const bridgeEnd = get('memory.bridgeEndMb');
  const workerStart = get('memory.workerStartMb');
  const workerEnd = get('memory.workerEndMb');
  if (bridgePeak && workerPeak && bridgeStart && bridgeEnd && workerStart && workerEnd) {
    const processed = get('memory.backlogProcessed');
    row({
      scenario: `7. Memory (${fmt(settings.backlog)}-message backlog, ${settings.backlogSeconds} s of it${processed ? `: ${fmt(processed.max)} ran` : ''}; ${settings.steadySeconds} s steady run)`,
      figure: 'bridge peak RSS, backlog',
      value: `${fmt(bridgePeak.max)} MB`,
      target: '≤ 150 MB',
      verdict: verdict(bridgePeak.max <= 150),
    });
    row({ scenario: '', figure: 'worker peak RSS, backlog', value: `${fmt(workerPeak.max)} MB`, target: '≤ 250 MB', verdict: verdict(workerPeak.max <= 250) });
    const grows = (start: number, end: number) => end - start > Math.max(10, start * 0.1);
    row({ scenario: '', figure: 'bridge RSS, steady start → end', value: `${fmt(bridgeStart.median)} → ${fmt(bridgeEnd.median)} MB`, target: 'no growth', verdict: verdict(!grows(bridgeStart.median, bridgeEnd.median)) });
    row({ scenario: '', figure: 'worker RSS, steady start → end', value: `${fmt(workerStart.median)} → ${fmt(workerEnd.median)} MB`, target: 'no growth', verdict: verdict(!grows(workerStart.median, workerEnd.median)) });
  }
  const scale = rate('scale.completeMs', n);
  if (scale) {
    row({
      scenario: `8. Scale-out (2 bridges + 2 workers, ${fmt(n)} messages)`,
      figure: 'workflows completed',
      value: spreadText(scale, 'ev/s'),
      comparedWith: bridgeComplete ? `3. one bridge + one worker ${fmt(bridgeComplete.median)} ev/s` : '',
      ratio: bridgeComplete ? fmt(scale.median / bridgeComplete.median, 2) : '',
    });
    row({ scenario: '', figure: 'every event exactly once', value: m.problems.some((p) => p.startsWith('8.')) ? 'no' : 'yes', target: 'yes', verdict: verdict(!m.problems.some((p) => p.startsWith('8.'))) });
  }
  const shortLocal = rate('short.localCompleteMs', n);
  const shortReference = rate('short.referenceCompleteMs', n);
  if (shortLocal && shortReference) {
    const ratio = shortLocal.median / shortReference.median;
    row({ scenario: `9. Short cascades (${fmt(n)} account-events deletes started directly, ${settings.maxInFlight} at once)`, figure: 'regular-activity reference ceiling: started + completed', value: spreadText(shortReference, 'ev/s') });
    row({
      scenario: '',
      figure: 'short cascades completed (step as a local activity)',
      value: spreadText(shortLocal, 'ev/s'),
      comparedWith: `9. reference ${fmt(shortReference.median)} ev/s`,
      ratio: `${fmt(ratio, 2)}×`,
      target: '≥ 1.8×',
      verdict: verdict(ratio >= 1.8),
    });
    const tasks = (variant: string) => `${fmt(get(`short.${variant}WorkflowTasks`)?.max ?? 0)} workflow task(s), ${fmt(get(`short.${variant}HistoryEvents`)?.max ?? 0)} history events`;
    row({ scenario: '', figure: 'one cascade: local vs reference (diagnostic)', value: tasks('local'), comparedWith: `9. reference ${tasks('reference')}` });
    const localCpu = get('short.localWorkerCpuMs');
    const referenceCpu = get('short.referenceWorkerCpuMs');
    if (localCpu && referenceCpu) {
      row({ scenario: '', figure: 'worker CPU per cascade (diagnostic)', value: spreadText(localCpu, 'ms', 2), comparedWith: `9. reference ${fmt(referenceCpu.median, 2)} ms`, ratio: fmt(localCpu.median / referenceCpu.median, 2) });
    }
  }
  return {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` },
    settings,
    temporal: [temporal],
    rows,
    problems: m.problems.map((p) => `[${temporal}] ${p}`),
    samples: { [temporal]: Object.fromEntries(KEYS.filter((k) => m.get(k).length > 0).map((k) => [k, m.get(k)])) },
  };
}

/** One report of runs on several Temporals (each row keeps its label), dated by the last. */
export function mergeBenchReports(reports: readonly BenchReport[]): BenchReport {
  const last = reports.at(-1);
  if (last === undefined) throw new TypeError('mergeBenchReports needs at least one report');
  return {
    ...last,
    temporal: reports.flatMap((r) => r.temporal),
    rows: reports.flatMap((r) => r.rows),
    problems: reports.flatMap((r) => r.problems),
    samples: Object.assign({}, ...reports.map((r) => r.samples)) as BenchReport['samples'],
  };
}

const HEADER = ['Temporal', 'scenario', 'figure', 'value (median [min–max])', 'compared with (same run)', 'ratio', 'target', 'verdict'] as const;
const cells = (r: ReportRow) => [r.temporal, r.scenario, r.figure, r.value, r.comparedWith, r.ratio, r.target, r.verdict];

/** The table as Markdown, with the machine and settings above it. */
export function toMarkdown(report: BenchReport): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `Bench of ${report.date} on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, ${report.machine.platform}; ` +
      `${report.settings.repetitions} repetition(s) of the throughput scenarios${report.settings.quick ? ' (--quick: sizes shrunk, figures not meaningful)' : ''}; ` +
      `Temporal: ${report.temporal.map((t) => (t === 'dev' ? 'dev = the CLI dev server (SQLite)' : 'server = the Temporal server on PostgreSQL')).join(', ')}.`,
    '',
    'Targets, every Temporal side by side (value, ratio judged, verdict):',
    '',
    toTargetsTable(report),
    '',
    'Every figure:',
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...report.rows.map((r) => `| ${cells(r).map(escape).join(' | ')} |`),
    '',
    report.problems.length === 0 ? 'Correctness: every event processed exactly once in every scenario.' : `Correctness problems:\n${report.problems.map((p) => `- ${p}`).join('\n')}`,
    '',
  ].join('\n');
}

/** `6. Big cascade (100,000 documents), CASCADE_ARCHIVE_PAGE_SIZE=500` → `6. Big cascade, CASCADE_ARCHIVE_PAGE_SIZE=500`: the same on every Temporal. */
const toScenarioKey = (scenario: string) => scenario.replace(/\s*\([^)]*\)/g, '');

/**
 * The rows held to a target, one line each with every Temporal side by side
 * (the value, then the ratio it is judged by, then the verdict), in the order
 * they first appear: what the README's Performance section shows.
 */
export function toTargetsTable(report: BenchReport): string {
  const variants = [...new Set(report.rows.map((r) => r.temporal))];
  const lines = new Map<string, { scenario: string; figure: string; target: string; cells: Map<TemporalVariant, string> }>();
  let scenario = '';
  let previous: TemporalVariant | undefined;
  for (const r of report.rows) {
    if (r.scenario !== '' || r.temporal !== previous) scenario = r.scenario === '' ? scenario : toScenarioKey(r.scenario);
    previous = r.temporal;
    if (r.target === '') continue;
    const key = `${scenario} / ${r.figure}`;
    const line = lines.get(key) ?? { scenario, figure: r.figure, target: r.target, cells: new Map<TemporalVariant, string>() };
    const value = r.value.replace(/\s*\[.*\]$/, '');
    line.cells.set(r.temporal, `${r.ratio === '' ? value : `${r.ratio} (${value})`}${r.verdict === '' ? '' : ` ${r.verdict}`}`);
    lines.set(key, line);
  }
  const label = (t: TemporalVariant) => (t === 'dev' ? 'dev server (SQLite)' : 'Temporal server (PostgreSQL)');
  const header = ['scenario', 'figure', 'target', ...variants.map(label)];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...[...lines.values()].map((l) => `| ${[l.scenario, l.figure, l.target, ...variants.map((t) => l.cells.get(t) ?? '')].map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

/** The table as padded plain text, for the terminal. */
export function toText(report: BenchReport): string {
  const all = [[...HEADER], ...report.rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
