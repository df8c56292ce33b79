import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import type { HistoryEvent } from '../../src/ops/cascade-history';
import { NoResetPointError, findResetEventId } from '../../src/ops/reset';

const { EventType } = temporal.api.enums.v1;
const id = (n: number) => Long.fromNumber(n);
const taskCompleted = (eventId: number): HistoryEvent => ({ eventId: id(eventId), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED });

describe('reset point (cascade reset --to)', () => {
  const started: HistoryEvent = { eventId: id(1), eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED };

  it('when an activity failed, then last-failure is the workflow task that scheduled it', () => {
    const events: HistoryEvent[] = [
      started,
      taskCompleted(4),
      { eventId: id(5), activityTaskScheduledEventAttributes: { workflowTaskCompletedEventId: id(4) } },
      { eventId: id(7), activityTaskCompletedEventAttributes: { scheduledEventId: id(5) } },
      taskCompleted(10),
      { eventId: id(11), activityTaskScheduledEventAttributes: { workflowTaskCompletedEventId: id(10) } },
      { eventId: id(13), activityTaskFailedEventAttributes: { scheduledEventId: id(11), failure: { message: 'boom' } } },
    ];
    assert.equal(findResetEventId('w', events, 'last-failure'), 10);
    assert.equal(findResetEventId('w', events, 'first-task'), 4);
  });

  it('when a local activity failed last, then last-failure is the workflow task that recorded its marker', () => {
    const events: HistoryEvent[] = [
      started,
      taskCompleted(4),
      { eventId: id(5), markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: id(4) } },
      taskCompleted(8),
      { eventId: id(9), markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: id(8), failure: { message: 'database down' } } },
    ];
    assert.equal(findResetEventId('w', events, 'last-failure'), 8);
  });

  it('when nothing failed, then last-failure names the cascade and suggests first-task', () => {
    const events: HistoryEvent[] = [started, taskCompleted(4), { eventId: id(5), markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: id(4) } }];
    assert.throws(() => findResetEventId('entity-deleted/e1', events, 'last-failure'), (error: unknown) => {
      assert.ok(error instanceof NoResetPointError);
      assert.match(error.message, /^entity-deleted\/e1 cannot be reset to last-failure: .*try --to first-task/);
      return true;
    });
  });
});
