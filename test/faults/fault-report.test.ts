import assert from 'node:assert/strict';
import { toPoisonShapes } from '../../faults/input-faults';
import type { FaultRow } from '../../faults/outcome';
import { toFaultReport, toMarkdown, toProblems } from '../../faults/report';
import { toFaultSettings } from '../../faults/settings';
import { ROUTE_NAMES } from '../../src/routes/route-names';

const row = (fault: string, fields: Partial<FaultRow> = {}): FaultRow => ({
  fault,
  description: `${fault} fault`,
  eventsSent: 10,
  effectsExpected: 10,
  effectsObserved: 10,
  lost: 0,
  duplicatedEffects: 0,
  dlqMessages: 0,
  quarantined: 0,
  operatorActions: 0,
  recoverSeconds: 1.5,
  recovered: true,
  notes: [],
  ...fields,
});

describe('fault suite report', () => {
  it('when every row has its effects exactly once and needs no one, then the run reports no broken promise', () => {
    const report = toFaultReport(toFaultSettings({ quick: true }), ['a', 'b'], [row('a'), row('b', { quarantined: 3 })], 60);
    assert.deepEqual(toProblems(report), []);
    assert.match(toMarkdown(report), /Every effect exactly once, no operator action, in every fault\./);
  });

  it('when a row lost an effect, duplicated one or needs an operator, then the run names it with its numbers', () => {
    const rows = [row('lost', { lost: 2, effectsObserved: 8, recoverSeconds: null, recovered: false }), row('twice', { duplicatedEffects: 1 }), row('dlq', { dlqMessages: 1, operatorActions: 1 }), row('fine')];
    const report = toFaultReport(toFaultSettings({ quick: true }), rows.map((r) => r.fault), rows, 60);
    assert.deepEqual(toProblems(report), ['lost: lost 2, duplicated 0, operator actions 0', 'twice: lost 0, duplicated 1, operator actions 0', 'dlq: lost 0, duplicated 0, operator actions 1']);
    const markdown = toMarkdown(report);
    assert.match(markdown, /\| lost \| lost fault \| 10 \| 10 \| 8 \| 2 \| 0 \| 0 \| 0 \| 0 \| did not recover \|/);
  });

  it('when the poison shapes are built, then there are at least 25 distinct ones covering every route', () => {
    const shapes = toPoisonShapes();
    assert.ok(shapes.length >= 25, `${shapes.length} shapes`);
    assert.equal(new Set(shapes.map((s) => s.name)).size, shapes.length);
    assert.deepEqual(new Set(shapes.map((s) => s.route)), new Set(ROUTE_NAMES));
    assert.ok(shapes.some((s) => Buffer.isBuffer(s.body)), 'one shape is raw bytes (invalid UTF-8)');
  });

  it('when the quick settings are chosen, then every outage is shorter than a minute and the full ones are as specified', () => {
    const quick = toFaultSettings({ quick: true });
    const full = toFaultSettings({});
    for (const ms of [quick.temporalDownMs, quick.postgresDownMs, quick.motoDownMs, quick.sqsDownMs, quick.rowLockMs]) assert.ok(ms < 60_000);
    assert.deepEqual([full.temporalDownMs, full.postgresDownMs, full.motoDownMs, full.sqsDownMs, full.bigDocuments], [600_000, 300_000, 300_000, 120_000, 100_000]);
    assert.ok(quick.bridgeStopMs > 30_000, 'the bridge stays stopped past the shipped 30 s visibility timeout');
  });
});
