import assert from 'node:assert/strict';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime';
import { defaultWorkflowBundlePath } from '../../src/worker/workflow-source';
import * as workflows from '../../workflows';
import { createTestLogger } from '../support/e2e-harness';
import { type RecordedHistoryFile, readRecordedHistories } from './replay-histories';

describe('replaying recorded histories against the current workflow code (Worker.runReplayHistories)', function () {
  this.timeout(180_000);
  const histories: RecordedHistoryFile[] = readRecordedHistories();
  before(() => installTemporalRuntime(createTestLogger()));

  it('when the recorded histories are listed, then every workflow type the worker registers has some, entity-deleted a continueAsNew chain with local activities, and a reset run', () => {
    const types = new Set(histories.map((h) => h.workflowType));
    for (const type of Object.keys(workflows)) assert.ok(types.has(type), `no recorded history of ${type}: record one (docs/operations.md, "Shipping workflow changes")`);
    const entity = histories.filter((h) => h.workflowType === 'entityDeletedWorkflow');
    const events = entity.flatMap((h) => h.history.events ?? []);
    assert.ok(events.some((e) => e.workflowExecutionContinuedAsNewEventAttributes), 'an entity-deleted run that continued as new');
    assert.ok(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity'), 'local-activity markers');
    const continued = entity.filter((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId);
    const hasPatch = (h: RecordedHistoryFile) => (h.history.events ?? []).some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    assert.ok(continued.some(hasPatch) && continued.some((h) => !hasPatch(h)), 'continued runs recorded before the progress-memo patch and after it, so both paths replay');
    const all = histories.flatMap((h) => h.history.events ?? []);
    assert.ok(all.some((e) => e.workflowTaskFailedEventAttributes?.baseRunId), 'a run created by a reset');
  });

  it('when every recorded history is replayed with the production workflow bundle, then none diverges', async () => {
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: defaultWorkflowBundlePath() }, replayName: 'cascade-replay-test' },
      histories.map((h) => ({ workflowId: h.file, history: h.history })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of results) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error instanceof Error ? `${result.error.name}: ${result.error.message}` : String(result.error)}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });

  it('when a continued entity-deleted run is replayed against code that adds a command without patched(), then the replayer reports a DeterminismViolationError', async () => {
    const continued = histories.find(
      (h) =>
        h.workflowType === 'entityDeletedWorkflow' &&
        h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId &&
        !(h.history.events ?? []).some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
    );
    assert.ok(continued, 'a recorded second run of an entity-deleted cascade, recorded before any patch');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./nondeterministic'), logger: new DefaultLogger('WARN') });
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: { code }, replayName: 'cascade-replay-negative' }, continued.history, continued.file), DeterminismViolationError);
  });
});
