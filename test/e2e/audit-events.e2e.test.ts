import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EventsApiPage } from '../../src/txma/events-api';
import { TXMA_PURGE_SCHEDULE_ID } from '../../src/txma/purge-schedule';
import { type E2eContext, type TestCascade, createE2eContext, createTestQueues, eventually, peekQueue, startTestCascade } from '../support/e2e-harness';

const TOKEN = 'e2e-events-token-0123456789';

describe('audit-events end to end (ElasticMQ → bridge → Temporal → worker → PostgreSQL → GET /events)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('audit_events');
    // Start from no schedule: a run of an earlier one, stuck on a task queue nobody polls any more, would make the new one skip (overlap SKIP).
    await ctx.temporal.schedule.getHandle(TXMA_PURGE_SCHEDULE_ID).delete().catch(() => undefined);
  });
  after(async () => {
    // The worker created the purge schedule on this file's task queue; leave nothing firing behind.
    await ctx?.temporal.schedule.getHandle(TXMA_PURGE_SCHEDULE_ID).delete().catch(() => undefined);
    await ctx?.close();
  });

  async function startAuditCascade(env: NodeJS.ProcessEnv = {}): Promise<TestCascade> {
    const queues = await createTestQueues(ctx.sqs, 'txma');
    return startTestCascade(ctx, {
      queues,
      env: { CASCADE_ROUTES: 'audit-events', CASCADE_QUEUE_URL_AUDIT_EVENTS: queues.queueUrl, CASCADE_EVENTS_API_TOKEN: TOKEN, ...env },
    });
  }

  async function getEvents(cascade: TestCascade, query: Record<string, string>): Promise<EventsApiPage> {
    const response = await fetch(`${cascade.app.httpUrl ?? ''}/events?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as EventsApiPage;
  }

  it('when TxMA events arrive, then they are stored under their keys, served by GET /events, and the invalid ones quarantined', async () => {
    const session = randomUUID();
    const deletedUser = `urn:e2e:${randomUUID()}`;
    const login = { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000000, user: { session_id: session, email: 'someone@example.com' }, component_id: 'auth' };
    const code = { event_name: 'AUTH_CODE_ISSUED', timestamp: 1764000005, event_id: `evt-${randomUUID()}`, user: { session_id: session } };
    const deleted = { event_name: 'AUTH_ACCOUNT_DELETED', timestamp: 1764000009, user: { user_id: deletedUser } };
    const cascade = await startAuditCascade();
    try {
      await cascade.send([
        JSON.stringify(login),
        JSON.stringify({ Message: JSON.stringify(code) }),
        JSON.stringify(deleted),
        JSON.stringify({ ...login, event_name: 'AUTH_NOT_ALLOWED' }),
        JSON.stringify({ ...login, user: { session_id: 'abc' } }),
        JSON.stringify({ event_name: 'AUTH_LOG_IN_SUCCESS', user: { session_id: session } }),
      ]);
      await cascade.waitForOutcomes(6);
      await cascade.send([JSON.stringify(login)]);
      const outcomes = await cascade.waitForOutcomes(7);
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['duplicate', 'rejected', 'rejected', 'rejected', 'started', 'started', 'started']);
      await Promise.all(outcomes.filter((o) => o.outcome === 'started').map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result()));
      assert.ok(outcomes.some((o) => o.workflowId === `audit-events/${code.event_id}`), 'an event with event_id is keyed by it');

      const rows = await ctx.db.prisma.txmaEvent.findMany({ where: { pk: `SESSION#${session}` }, orderBy: { sk: 'asc' } });
      assert.deepEqual(rows.map((r) => [r.sk, r.event]), [
        ['TXMA#EVENT_NAME#AUTH_CODE_ISSUED#TIMESTAMP#1764000005', code],
        ['TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1764000000', login],
      ]);
      const lifetime = (rows[0]?.expiresAt.getTime() ?? 0) - Date.now();
      assert.ok(lifetime > 3_500_000 && lifetime <= 3_600_000, `expires in about an hour (${lifetime} ms)`);
      const unknown = await ctx.db.prisma.txmaEvent.findMany({ where: { pk: 'SESSION#UNKNOWN', event: { path: ['user', 'user_id'], equals: deletedUser } } });
      assert.deepEqual(unknown.map((r) => r.sk), ['TXMA#EVENT_NAME#AUTH_ACCOUNT_DELETED#TIMESTAMP#1764000009']);

      const page = await getEvents(cascade, { pk: `SESSION#${session}`, skPrefix: 'TXMA#EVENT_NAME#AUTH_LOG_IN' });
      assert.deepEqual(page.items.map((i) => i.event), [login]);
      const all = await getEvents(cascade, { pk: `SESSION#${session}`, limit: '1' });
      assert.equal(all.items[0]?.sk, 'TXMA#EVENT_NAME#AUTH_CODE_ISSUED#TIMESTAMP#1764000005');
      assert.ok(all.nextCursor);
      const next = await getEvents(cascade, { pk: `SESSION#${session}`, limit: '1', cursor: all.nextCursor });
      assert.deepEqual(next.items.map((i) => i.sk), ['TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1764000000']);

      const reasons = (await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl)).map((m) => m.MessageAttributes?.['cascade.reason']?.StringValue ?? '').sort();
      assert.equal(reasons.length, 3);
      assert.match(reasons[0] ?? '', /^event_name: "AUTH_NOT_ALLOWED" is not an allowed TxMA event/);
      assert.match(reasons[1] ?? '', /^timestamp: is required/);
      assert.match(reasons[2] ?? '', /^user\.session_id: must be a UUID/);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when session IDs come in upper case or as UNKNOWN, then GET /events finds each under the session exactly as sent, and a non-UUID session of other events is quarantined with the reason', async () => {
    const upper = randomUUID().toUpperCase();
    // SESSION#UNKNOWN is shared by every session-less event: a timestamp of this run tells ours apart.
    const stamp = String(1_700_000_000 + Math.floor(Math.random() * 90_000_000));
    const login = { event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: 1764000100, user: { session_id: upper } };
    const unknown = { event_name: 'AUTH_ACCOUNT_DELETED', timestamp: Number(stamp), user: { session_id: 'UNKNOWN', user_id: `urn:e2e:${randomUUID()}` } };
    const missing = { event_name: 'AUTH_ACCOUNT_DELETED', timestamp: `${stamp}.5`, user: { user_id: `urn:e2e:${randomUUID()}` } };
    const cascade = await startAuditCascade();
    try {
      await cascade.send([
        JSON.stringify(login),
        JSON.stringify(unknown),
        JSON.stringify(missing),
        JSON.stringify({ ...login, user: { session_id: 'UNKNOWN' } }),
        JSON.stringify({ ...unknown, user: { session_id: 'not-a-session' } }),
      ]);
      const outcomes = await cascade.waitForOutcomes(5);
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['rejected', 'rejected', 'started', 'started', 'started']);
      await Promise.all(outcomes.filter((o) => o.outcome === 'started').map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result()));

      const sent = await getEvents(cascade, { pk: `SESSION#${upper}` });
      assert.deepEqual(sent.items.map((i) => [i.pk, i.event]), [[`SESSION#${upper}`, login]], 'found by the session as sent');
      assert.deepEqual((await getEvents(cascade, { pk: `SESSION#${upper.toLowerCase()}` })).items, [], 'the key is not rewritten to lower case');
      const sessionless = await getEvents(cascade, { pk: 'SESSION#UNKNOWN', skPrefix: `TXMA#EVENT_NAME#AUTH_ACCOUNT_DELETED#TIMESTAMP#${stamp}` });
      assert.deepEqual(sessionless.items.map((i) => i.event), [unknown, missing], 'the literal UNKNOWN and a missing session alike');

      const reasons = (await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl)).map((m) => m.MessageAttributes?.['cascade.reason']?.StringValue ?? '').sort();
      assert.deepEqual(reasons, ['user.session_id: must be a UUID', 'user.session_id: must be a UUID (or "UNKNOWN" for AUTH_ACCOUNT_DELETED events)']);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the worker runs, then the purge schedule exists and deletes expired events while keeping live ones', async () => {
    const pk = `SESSION#${randomUUID()}`;
    await ctx.db.prisma.$executeRaw`INSERT INTO txma_events (pk, sk, event, expires_at)
      SELECT ${pk}, 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#' || n, '{}'::jsonb, now() - interval '1 second' FROM generate_series(1, 30) AS n`;
    await ctx.db.prisma.txmaEvent.create({ data: { pk, sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#live', event: {}, expiresAt: new Date(Date.now() + 3_600_000) } });
    const cascade = await startAuditCascade({ CASCADE_TXMA_PURGE_INTERVAL_SECONDS: '10' });
    try {
      const schedule = await ctx.temporal.schedule.getHandle(TXMA_PURGE_SCHEDULE_ID).describe();
      assert.equal(schedule.action.type, 'startWorkflow');
      assert.equal(schedule.action.type === 'startWorkflow' ? schedule.action.workflowType : '', 'txmaPurgeWorkflow');
      assert.deepEqual(schedule.spec.intervals?.map((i) => i.every), [10_000]);
      await eventually('the schedule purged the expired events', async () => (await ctx.db.prisma.txmaEvent.count({ where: { pk } })) === 1, 60_000);
      const left = await ctx.db.prisma.txmaEvent.findMany({ where: { pk } });
      assert.deepEqual(left.map((r) => r.sk), ['TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#live']);
    } finally {
      await cascade.app.stop();
    }
  });
});
