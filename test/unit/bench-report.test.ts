import assert from 'node:assert/strict';
import { type BenchReport, type ReportRow, toMarkdown, toTargetsTable } from '../../bench/report';

const row = (r: Partial<ReportRow> & Pick<ReportRow, 'temporal' | 'scenario' | 'figure' | 'value'>): ReportRow => ({ comparedWith: '', ratio: '', target: '', verdict: '', ...r });

/** Two Temporals, each scenario named on its first row only, sizes in brackets as the bench writes them. */
const report: BenchReport = {
  date: '2026-12-01T00:00:00.000Z',
  machine: { cpus: 2, cpuModel: 'test CPU', memoryGiB: 24, node: 'v20', platform: 'linux' },
  settings: { quick: false, events: 3000, repetitions: 3, maxInFlight: 100, latencySeconds: 60, latencyLoad: 0.3, bigDocuments: 100000, publishConcurrency: 4, backlog: 100000, backlogSeconds: 120, steadySeconds: 600 },
  temporal: ['dev', 'server'],
  rows: [
    row({ temporal: 'dev', scenario: '1. Temporal ceiling (3,000 workflows, 100 at once)', figure: 'direct starts', value: '300 ev/s [290–310]' }),
    row({ temporal: 'dev', scenario: '3. Bridge (3,000 messages waiting)', figure: 'workflows started', value: '270 ev/s [260–280]', ratio: '0.90', target: '≥ 0.90', verdict: 'met' }),
    row({ temporal: 'dev', scenario: '', figure: 'workflows completed | all', value: '80 ev/s', ratio: '0.85', target: '≥ 0.90', verdict: 'missed' }),
    row({ temporal: 'dev', scenario: '7. Memory', figure: 'every event exactly once', value: 'yes', target: 'yes', verdict: 'met' }),
    row({ temporal: 'server', scenario: '1. Temporal ceiling (3,000 workflows, 100 at once)', figure: 'direct starts', value: '500 ev/s' }),
    row({ temporal: 'server', scenario: '3. Bridge (3,000 messages waiting)', figure: 'workflows started', value: '400 ev/s', ratio: '0.80', target: '≥ 0.90', verdict: 'missed' }),
    row({ temporal: 'server', scenario: '', figure: 'workflows completed | all', value: '150 ev/s', ratio: '0.95', target: '≥ 0.90', verdict: 'met' }),
  ],
  problems: [],
  samples: {},
};

describe('bench report: targets side by side', () => {
  it('when rows of two Temporals are held to targets, then each target is one line with both values, the ratio first and the sample range dropped', () => {
    assert.equal(
      toTargetsTable(report),
      [
        '| scenario | figure | target | dev server (SQLite) | Temporal server (PostgreSQL) |',
        '| --- | --- | --- | --- | --- |',
        '| 3. Bridge | workflows started | ≥ 0.90 | 0.90 (270 ev/s) met | 0.80 (400 ev/s) missed |',
        '| 3. Bridge | workflows completed \\| all | ≥ 0.90 | 0.85 (80 ev/s) missed | 0.95 (150 ev/s) met |',
        '| 7. Memory | every event exactly once | yes | yes met |  |',
      ].join('\n'),
    );
  });

  it('when the markdown report is written, then the targets table comes before every figure', () => {
    const markdown = toMarkdown(report);
    const targets = markdown.indexOf(toTargetsTable(report));
    assert.ok(targets > 0, markdown);
    assert.ok(markdown.indexOf('Every figure:') > targets, markdown);
  });
});
