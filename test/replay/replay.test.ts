import assert from 'node:assert/strict';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime';
import { SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH } from '../../workflows/activity-options';
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

  it('when the short cascades\' histories are listed, then each type has runs from before the local-activity patch (a regular activity) and after it (the patch marker and a local activity only)', () => {
    // A patch marker's details carry its ID as JSON (`{"id":"…","deprecated":false}`).
    const patchDetails = (h: RecordedHistoryFile) =>
      (h.history.events ?? []).flatMap((e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch'
          ? Object.values(e.markerRecordedEventAttributes.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')))
          : [],
      );
    const hasPatch = (h: RecordedHistoryFile) => patchDetails(h).some((text) => text.includes(`"${SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH}"`));
    for (const type of ['accountEventsWorkflow', 'auditEventsWorkflow', 'incentiveEventsWorkflow']) {
      const ofType = histories.filter((h) => h.workflowType === type);
      const before = ofType.filter((h) => !hasPatch(h));
      const after = ofType.filter(hasPatch);
      assert.ok(before.length > 0 && before.every((h) => (h.history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes)), `${type}: a run recorded with the regular activity`);
      assert.ok(after.length > 0, `${type}: a run recorded with the ${SHORT_STEPS_AS_LOCAL_ACTIVITIES_PATCH} marker`);
      for (const h of after) {
        const events = h.history.events ?? [];
        assert.ok(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity') && !events.some((e) => e.activityTaskScheduledEventAttributes), `${h.file}: local activity only`);
      }
    }
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

  it('when an account-events run recorded with its regular activity is replayed against the switch to a local activity without patched(), then the replayer reports a DeterminismViolationError', async () => {
    const regular = histories.find((h) => h.workflowType === 'accountEventsWorkflow' && (h.history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes));
    assert.ok(regular, 'a recorded account-events run with a regular activity');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./short-steps-unguarded'), logger: new DefaultLogger('WARN') });
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: { code }, replayName: 'cascade-replay-short-unguarded' }, regular.history, regular.file), DeterminismViolationError);
  });
});
