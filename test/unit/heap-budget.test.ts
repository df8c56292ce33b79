import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describeHeapShortfall, toHeapBudget } from '../../src/bridge/heap-budget';

const MIB = 1024 * 1024;

describe('bridge heap budget (CASCADE_MAX_IN_FLIGHT against the V8 heap limit)', () => {
  it('when the compose file caps the bridge at 1024 MB, then the default 100 messages of the largest size fit', () => {
    const budget = toHeapBudget(100, 1024 * MIB);
    assert.equal(budget.fits, true);
    assert.ok(budget.neededBytes < 512 * MIB, `needs ${budget.neededBytes / MIB} MiB`);
  });

  it('when many more messages are held than the heap allows, then the shortfall names both settings and the size to set', () => {
    const budget = toHeapBudget(1000, 256 * MIB);
    assert.equal(budget.fits, false);
    const message = describeHeapShortfall(budget);
    assert.match(message, /heap limit 256 MB/);
    assert.match(message, /CASCADE_MAX_IN_FLIGHT=1000/);
    assert.match(message, new RegExp(`--max-old-space-size in NODE_OPTIONS to at least ${Math.ceil(budget.neededBytes / MIB)}`));
  });

  it('when a process runs with --max-old-space-size, then the budget reads that limit', () => {
    const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(require.resolve('../../src/bridge/heap-budget'))}).toHeapBudget(1000)))`;
    const capped = JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=128', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof toHeapBudget>;
    // V8's heap limit is the old space plus the young generation.
    assert.ok(capped.limitBytes >= 128 * MIB && capped.limitBytes < 256 * MIB, `limit ${capped.limitBytes / MIB} MiB`);
    assert.equal(capped.fits, false);
  });
});
