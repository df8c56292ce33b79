import assert from 'node:assert/strict';
import { MessageTooLargeError, toBodyBytes, toEventBodies, toTaskBody } from '../../src/producer';
import { toBatches } from '../../src/producer/batch-sender';
import { toWorkflowType } from '../../src/routes/route';
import { TASK_ACTION_HANDLERS, findTaskActionHandler } from '../../src/routes/task-actions';
import { parseTask, tasksRoute } from '../../src/routes/tasks';
import type { IncentiveEventItem } from '../../src/shared/tasks';

const event = (i: number, meta: unknown = { i }): IncentiveEventItem => ({ userIds: [`user-${i % 3}`], eventName: `event.${i}`, eventMeta: meta as IncentiveEventItem['eventMeta'] });

function rejectedReason(body: unknown): string {
  const outcome = parseTask(body);
  assert.equal(outcome.kind, 'rejected', JSON.stringify(outcome));
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

describe('tasks route parser', () => {
  it('when an event task is valid, then it becomes an event dispatched to the incentive events workflow', () => {
    const outcome = parseTask({ action: 'event', data: [{ userIds: ['a', 'b'], eventName: 'profile.completed', eventMeta: { source: 'web' } }, { userIds: ['c'], eventName: 'x' }] });
    assert.equal(outcome.kind, 'event');
    if (outcome.kind !== 'event') return;
    assert.deepEqual(outcome.event, {
      action: 'event',
      data: [{ userIds: ['a', 'b'], eventName: 'profile.completed', eventMeta: { source: 'web' } }, { userIds: ['c'], eventName: 'x' }],
    });
    assert.match(outcome.eventKey, /^[0-9a-f]{64}$/);
    assert.equal(toWorkflowType(tasksRoute, outcome.event), 'incentiveEventsWorkflow');
  });

  it('when the same task comes with its fields in another order, then the event key is the same', () => {
    const a = parseTask({ action: 'event', data: [{ userIds: ['a'], eventName: 'n', eventMeta: { x: 1, y: 2 } }] });
    const b = parseTask({ data: [{ eventMeta: { y: 2, x: 1 }, eventName: 'n', userIds: ['a'] }], action: 'event' });
    assert.ok(a.kind === 'event' && b.kind === 'event');
    assert.equal(a.eventKey, b.eventKey);
    const c = parseTask({ action: 'event', data: [{ userIds: ['b'], eventName: 'n', eventMeta: { x: 1, y: 2 } }] });
    assert.ok(c.kind === 'event');
    assert.notEqual(c.eventKey, a.eventKey, 'another task gets another key');
  });

  it('when a task carries a task_id, then that ID is its event key (whatever the content), and one without keeps the content digest', () => {
    const data = [{ userIds: ['a'], eventName: 'n' }];
    const first = parseTask({ action: 'event', data, task_id: '9F3B2C1A-0000-4000-8000-00000000000A' });
    const second = parseTask({ action: 'event', data, task_id: '9f3b2c1a-0000-4000-8000-00000000000b' });
    const redelivered = parseTask({ task_id: '9f3b2c1a-0000-4000-8000-00000000000a', data, action: 'event' });
    const legacy = parseTask({ action: 'event', data });
    assert.ok(first.kind === 'event' && second.kind === 'event' && redelivered.kind === 'event' && legacy.kind === 'event');
    assert.equal(first.eventKey, 'task-9f3b2c1a-0000-4000-8000-00000000000a');
    assert.notEqual(second.eventKey, first.eventKey, 'a separate send with the same content is another task');
    assert.equal(redelivered.eventKey, first.eventKey, 'a redelivery (or a re-send of the same body) is the same task');
    assert.match(legacy.eventKey, /^[0-9a-f]{64}$/);
    assert.deepEqual(first.event, legacy.event, 'the task handed to the workflow is the same');
    assert.equal(rejectedReason({ action: 'event', data, task_id: 'not-a-uuid' }), 'task_id: must be a UUID');
    assert.equal(rejectedReason({ action: 'event', data, task_id: 7 }), 'task_id: must be a string (a UUID)');
  });

  it('when the body is not an object, then it is rejected', () => {
    assert.match(rejectedReason([1, 2]), /JSON object \{action, data\}/);
    assert.match(rejectedReason('event'), /JSON object/);
    assert.match(rejectedReason(null), /JSON object/);
  });

  it('when there is no action, then it is rejected naming the field', () => {
    assert.equal(rejectedReason({ data: [] }), 'action: is required and must be a string');
    assert.equal(rejectedReason({ action: '', data: [] }), 'action: must be a non-empty string');
    assert.equal(rejectedReason({ action: 7, data: [] }), 'action: is required and must be a string');
  });

  it('when the action has no handler, then it is rejected with that reason (to redrive later)', () => {
    assert.equal(rejectedReason({ action: 'sendNewsletter', data: { to: 'x' } }), 'action "sendNewsletter" has no handler (handled: event); redrive the message once a handler exists');
    assert.match(rejectedReason({ action: 'toString', data: {} }), /action "toString" has no handler/, 'inherited object keys are not handlers');
    assert.match(rejectedReason({ action: 'x'.repeat(500), data: {} }), /^action "x{100}…" has no handler/);
  });

  it('when the event data is not an array, then it is rejected', () => {
    assert.equal(rejectedReason({ action: 'event', data: { userIds: ['a'], eventName: 'n' } }), 'data: must be an array of events {userIds, eventName, eventMeta}');
    assert.equal(rejectedReason({ action: 'event' }), 'data: must be an array of events {userIds, eventName, eventMeta}');
  });

  it('when event items miss userIds or eventName or have bad shapes, then it is rejected naming each item', () => {
    assert.equal(rejectedReason({ action: 'event', data: [{ eventName: 'n' }] }), 'data[0].userIds: is required and must be an array of user IDs');
    assert.equal(rejectedReason({ action: 'event', data: [{ userIds: ['a'], eventName: 'ok' }, { userIds: ['b'] }] }), 'data[1].eventName: is required and must be a string');
    assert.equal(rejectedReason({ action: 'event', data: [{ userIds: [], eventName: 'n' }] }), 'data[0].userIds: must list at least one user');
    assert.equal(rejectedReason({ action: 'event', data: [{ userIds: ['a', 3], eventName: 'n' }] }), 'data[0].userIds[1]: must be a string');
    assert.equal(rejectedReason({ action: 'event', data: [{ userIds: 'a', eventName: 'n' }] }), 'data[0].userIds: is required and must be an array of user IDs');
    assert.equal(rejectedReason({ action: 'event', data: [{ userIds: ['a'], eventName: '' }] }), 'data[0].eventName: must be a non-empty string');
    assert.equal(rejectedReason({ action: 'event', data: ['x'] }), 'data[0]: Invalid input: expected object, received string');
  });

  it('when many items are bad, then the reason names the first five and counts the rest', () => {
    const reason = rejectedReason({ action: 'event', data: Array.from({ length: 500 }, () => ({ eventName: 'n' })) });
    assert.match(reason, /^data\[0\]\.userIds: .*data\[4\]\.userIds: [^;]*; and 495 more issue\(s\)$/);
  });

  it('when an event task has no events, then it is ignored', () => {
    assert.deepEqual(parseTask({ action: 'event', data: [] }), { kind: 'ignored', reason: 'event task with no events' });
  });

  it('when an event carries unknown fields, then they are dropped and eventMeta may be any JSON', () => {
    const outcome = parseTask({ action: 'event', data: [{ userIds: ['a'], eventName: 'n', extra: true, eventMeta: [1, 'two', null] }] });
    assert.ok(outcome.kind === 'event');
    assert.deepEqual(outcome.event.data, [{ userIds: ['a'], eventName: 'n', eventMeta: [1, 'two', null] }]);
  });

  it('when looking up handlers, then only registered actions have one', () => {
    assert.equal(findTaskActionHandler('event'), TASK_ACTION_HANDLERS.event);
    assert.equal(findTaskActionHandler('constructor'), undefined);
    assert.equal(findTaskActionHandler('unknown'), undefined);
  });
});

describe('task bodies (producer chunking, pure)', () => {
  const chunking = { eventsPerMessage: 500, maxMessageBytes: 262_144 };
  const countsOf = (n: number) => toEventBodies(Array.from({ length: n }, (_, i) => event(i)), chunking).map((b) => (JSON.parse(b) as { data: unknown[] }).data.length);

  it('when there are 0, 1, 500, 501, 1000 or 1001 events, then the messages hold at most 500 each and never none', () => {
    assert.deepEqual(countsOf(0), []);
    assert.deepEqual(countsOf(1), [1]);
    assert.deepEqual(countsOf(500), [500]);
    assert.deepEqual(countsOf(501), [500, 1]);
    assert.deepEqual(countsOf(1000), [500, 500]);
    assert.deepEqual(countsOf(1001), [500, 500, 1]);
  });

  it('when events are large, then messages are split by measured size and each is within the limit', () => {
    const events = Array.from({ length: 500 }, (_, i) => event(i, { pad: 'é'.repeat(600) }));
    const bodies = toEventBodies(events, chunking);
    assert.ok(bodies.length > 1);
    for (const body of bodies) assert.ok(toBodyBytes(body) <= 262_144, `body of ${toBodyBytes(body)} bytes`);
    const parsed = bodies.flatMap((b) => (JSON.parse(b) as { action: string; data: IncentiveEventItem[] }).data);
    assert.deepEqual(parsed, events, 'every event, once, in order');
    const first = bodies[0] ?? '';
    const next = JSON.stringify(events[(JSON.parse(first) as { data: unknown[] }).data.length]);
    assert.ok(toBodyBytes(first) + 1 + toBodyBytes(next) > 262_144, 'the first message was full: the next event would not fit');
    const task = JSON.parse(first) as { data: unknown; task_id: string };
    assert.equal(first, toTaskBody('event', task.data, task.task_id), 'the body is exactly the serialized task');
  });

  it('when events are split into several messages, then each message gets its own task ID, a UUID', () => {
    const bodies = toEventBodies(Array.from({ length: 1001 }, (_, i) => event(i)), chunking);
    const ids = bodies.map((b) => (JSON.parse(b) as { task_id: string }).task_id);
    assert.equal(ids.length, 3);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, 3, 'no two messages share an ID');
    const again = toEventBodies(Array.from({ length: 1001 }, (_, i) => event(i)), chunking);
    assert.ok(again.every((b, i) => !b.includes(ids[i] ?? '?')), 'another call gets other IDs');
  });

  it('when one event alone is larger than a message, then nothing is produced and the error says so', () => {
    assert.throws(() => toEventBodies([event(1), event(2, 'x'.repeat(300_000))], chunking), (error: unknown) => {
      assert.ok(error instanceof MessageTooLargeError);
      assert.match(error.message, /^event #1 alone is \d+ bytes serialized, more than the queue's maximum message size of 262144 bytes$/);
      return true;
    });
  });

  it('when grouping bodies into batches, then a batch has at most ten entries and the byte limit', () => {
    assert.deepEqual(toBatches(Array.from({ length: 23 }, () => 'x'), 1000).map((b) => b.length), [10, 10, 3]);
    assert.deepEqual(toBatches(['a'.repeat(60), 'b'.repeat(50), 'c'.repeat(40), 'd'.repeat(20)], 100), [[0], [1, 2], [3]]);
    assert.deepEqual(toBatches([], 100), []);
  });
});
