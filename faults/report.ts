import os from 'node:os';
import type { FaultRow } from './outcome';
import type { FaultSettings } from './settings';

/** Everything a fault-suite run produced. */
export interface FaultReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly platform: string };
  readonly settings: FaultSettings;
  /** The faults selected for this run. */
  readonly faults: readonly string[];
  readonly durationSeconds: number;
  /** One object per fault (per route for the worker kill). */
  readonly rows: readonly FaultRow[];
}

/** The report of a run. */
export function toFaultReport(settings: FaultSettings, faults: readonly string[], rows: readonly FaultRow[], durationSeconds: number): FaultReport {
  return {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` },
    settings,
    faults,
    durationSeconds,
    rows,
  };
}

const HEADER = ['fault', 'what', 'events sent', 'effects expected', 'effects observed', 'lost', 'duplicated effects', 'in DLQ', 'quarantined', 'operator actions', 'time to recover', 'notes'] as const;

const cells = (r: FaultRow): string[] => [
  r.fault,
  r.description,
  String(r.eventsSent),
  String(r.effectsExpected),
  String(r.effectsObserved),
  String(r.lost),
  String(r.duplicatedEffects),
  String(r.dlqMessages),
  String(r.quarantined),
  String(r.operatorActions),
  r.recoverSeconds === null ? 'did not recover' : `${r.recoverSeconds.toFixed(1)} s`,
  r.notes.join('; '),
];

/** Rows that break the promise: an effect lost or applied twice, or a human needed. */
export function toProblems(report: FaultReport): string[] {
  return report.rows.filter((r) => r.lost > 0 || r.duplicatedEffects > 0 || r.operatorActions > 0).map((r) => `${r.fault}: lost ${r.lost}, duplicated ${r.duplicatedEffects}, operator actions ${r.operatorActions}`);
}

/** The table as Markdown, with the machine and settings above it. */
export function toMarkdown(report: FaultReport): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const problems = toProblems(report);
  return [
    `Fault suite of ${report.date} on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, ${report.machine.platform}; ` +
      `${report.settings.quick ? '--quick (short outages, small volumes)' : 'full'}, ${report.durationSeconds} s in all.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...report.rows.map((r) => `| ${cells(r).map(escape).join(' | ')} |`),
    '',
    problems.length === 0 ? 'Every effect exactly once, no operator action, in every fault.' : `Broken promises:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    '',
  ].join('\n');
}

/** The table as padded plain text, for the terminal (notes after it). */
export function toText(report: FaultReport): string {
  const header = [HEADER[0], ...HEADER.slice(2, -1)];
  const all = [[...header], ...report.rows.map((r) => { const c = cells(r); return [c[0] ?? '', ...c.slice(2, -1)]; })];
  const widths = header.map((_, i) => Math.min(70, Math.max(...all.map((r) => (r[i] ?? '').length))));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const notes = report.rows.filter((r) => r.notes.length > 0).map((r) => `- ${r.fault}: ${r.notes.join('; ')}`);
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line), '', 'Notes:', ...notes].join('\n');
}
