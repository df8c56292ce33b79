import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createHttpServer } from '../../src/http/http-server';
import { createMetrics } from '../../src/metrics/metrics';
import { type EventsApiPage, createEventsApi } from '../../src/txma/events-api';
import { createTestLogger } from '../support/e2e-harness';
import { type MigratedDatabase, createMigratedDatabase } from '../support/migrated-database';

const TOKEN = 'test-token-0123456789abcdef';

describe('GET /events (fastify + PostgreSQL)', function () {
  this.timeout(60_000);
  let db: MigratedDatabase;

  before(async () => {
    db = await createMigratedDatabase('events-api');
  });
  after(async () => {
    await db?.drop();
  });

  function createApp(options: { token?: string; withDb?: boolean } = {}) {
    return createHttpServer({
      metrics: createMetrics(),
      readinessChecks: [],
      logger: createTestLogger(),
      plugins: [createEventsApi({ db: options.withDb === false ? undefined : db.prisma, token: 'token' in options ? options.token : TOKEN })],
    });
  }

  async function seed(pk: string, rows: Array<{ sk: string; expired?: boolean; event?: object }>): Promise<void> {
    for (const row of rows) {
      const expiresAt = new Date(Date.now() + (row.expired ? -60_000 : 3_600_000));
      await db.prisma.txmaEvent.create({ data: { pk, sk: row.sk, event: row.event ?? { sk: row.sk }, expiresAt } });
    }
  }

  /** GET /events with the query; `token: null` sends no Authorization header. */
  const get = async (app: ReturnType<typeof createApp>, query: Record<string, string | number>, token: string | null = TOKEN) => {
    const url = `/events?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    return app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  };

  it('when a partition is read with a prefix, then only its unexpired items with that prefix come back, in sort-key order', async () => {
    const pk = `SESSION#${randomUUID()}`;
    await seed(pk, [
      { sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#2', event: { n: 2, nested: { ok: true } } },
      { sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1' },
      { sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#0', expired: true },
      { sk: 'TXMA#EVENT_NAME#AUTH_CODE_ISSUED#TIMESTAMP#5' },
      { sk: 'TXMA#EVENT-NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#9' },
    ]);
    await seed(`SESSION#${randomUUID()}`, [{ sk: 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1' }]);
    const app = createApp();
    const response = await get(app, { pk, skPrefix: 'TXMA#EVENT_NAME#AUTH_LOG_IN' });
    assert.equal(response.statusCode, 200, response.body);
    const page = response.json<EventsApiPage>();
    assert.deepEqual(page.items.map((i) => i.sk), ['TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#1', 'TXMA#EVENT_NAME#AUTH_LOG_IN_SUCCESS#TIMESTAMP#2']);
    assert.deepEqual(page.items[1]?.event, { n: 2, nested: { ok: true } });
    assert.ok(page.items.every((i) => i.pk === pk && Date.parse(i.expiresAt) > Date.now()));
    assert.equal(page.nextCursor, null);
    const all = (await get(app, { pk })).json<EventsApiPage>();
    assert.equal(all.items.length, 4, 'without a prefix: every unexpired item of the partition ("_" is not a wildcard, "-" differs)');
    await app.close();
  });

  it('when a partition has more items than the limit, then pages follow the cursor until nextCursor is null', async () => {
    const pk = `SESSION#${randomUUID()}`;
    const sks = Array.from({ length: 7 }, (_, i) => `TXMA#EVENT_NAME#A#TIMESTAMP#${1000 + i}`);
    await seed(pk, sks.map((sk) => ({ sk })));
    const app = createApp();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(app, { pk, limit: 3, ...(cursor === null ? {} : { cursor }) });
      assert.equal(response.statusCode, 200, response.body);
      const page: EventsApiPage = response.json<EventsApiPage>();
      seen.push(...page.items.map((i) => i.sk));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    assert.deepEqual(seen, sks);
    assert.equal(pages, 3);
    await app.close();
  });

  it('when the token is missing or wrong, then 401 with a Bearer challenge; when none is configured, 503', async () => {
    const app = createApp();
    const missing = await get(app, { pk: 'SESSION#x' }, null);
    assert.equal(missing.statusCode, 401);
    assert.match(missing.headers['www-authenticate'] as string, /^Bearer /);
    assert.equal((await get(app, { pk: 'SESSION#x' }, 'wrong-token-0123456789')).statusCode, 401);
    const basic = await app.inject({ method: 'GET', url: '/events?pk=x', headers: { authorization: `Basic ${TOKEN}` } });
    assert.equal(basic.statusCode, 401);
    await app.close();

    const disabled = createApp({ token: undefined });
    const response = await get(disabled, { pk: 'SESSION#x' });
    assert.equal(response.statusCode, 503);
    assert.match(response.json<{ message: string }>().message, /CASCADE_EVENTS_API_TOKEN/);
    await disabled.close();
  });

  it('when parameters are bad, then 400 names the parameter', async () => {
    const app = createApp();
    const cases: Array<[Record<string, string | number>, RegExp]> = [
      [{}, /^pk: is required/],
      [{ pk: '' }, /^pk: must not be empty/],
      [{ pk: 'SESSION#x', limit: 0 }, /^limit: must be an integer from 1 to 100/],
      [{ pk: 'SESSION#x', limit: 101 }, /^limit: /],
      [{ pk: 'SESSION#x', limit: 'ten' }, /^limit: /],
      [{ pk: 'SESSION#x', cursor: 'not-a-cursor' }, /^cursor: is not a cursor this API returned/],
      [{ pk: 'x'.repeat(300) }, /^pk: must be at most 256/],
    ];
    for (const [query, message] of cases) {
      const response = await get(app, query);
      assert.equal(response.statusCode, 400, `${JSON.stringify(query)} → ${response.body}`);
      assert.match(response.json<{ message: string }>().message, message);
    }
    await app.close();
  });

  it('when the process has no database, then 503 says what to set', async () => {
    const app = createApp({ withDb: false });
    const response = await get(app, { pk: 'SESSION#x' });
    assert.equal(response.statusCode, 503);
    assert.match(response.json<{ message: string }>().message, /DATABASE_URL/);
    await app.close();
  });
});
