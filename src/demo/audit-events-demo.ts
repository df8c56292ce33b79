import { randomUUID } from 'node:crypto';
import type { DemoScenario } from './demo-scenario';

/** TxMA events of one fresh session: stored, session-less, duplicate, and rejected ones. */
export function createAuditEventsDemoScenario(now = Date.now()): DemoScenario {
  const session = randomUUID();
  const timestamp = Math.floor(now / 1000);
  const event = (fields: Record<string, unknown>) => JSON.stringify({ event_id: randomUUID(), timestamp, component_id: 'auth', ...fields });
  const login = event({ event_name: 'AUTH_LOG_IN_SUCCESS', user: { session_id: session, user_id: 'urn:demo:user' } });
  const deletedUser = `urn:demo:${session}`;
  return {
    route: 'audit-events',
    async seed() {},
    async effects({ prisma }) {
      const rows = await prisma.txmaEvent.findMany({
        where: { OR: [{ pk: `SESSION#${session}` }, { pk: 'SESSION#UNKNOWN', event: { path: ['user', 'user_id'], equals: deletedUser } }] },
        orderBy: [{ pk: 'asc' }, { sk: 'asc' }],
      });
      return {
        title: 'txma_events of the demo (GET /events?pk=…&skPrefix=TXMA# serves them)',
        header: ['pk', 'sk', 'expires_at'],
        rows: rows.map((r) => [r.pk, r.sk, r.expiresAt.toISOString()]),
      };
    },
    messages: [
      { label: 'AUTH_LOG_IN_SUCCESS', body: login },
      { label: 'AUTH_LOG_IN_SUCCESS again (re-sent)', body: login },
      { label: 'AUTH_CODE_ISSUED', body: event({ event_name: 'AUTH_CODE_ISSUED', timestamp: timestamp + 1, user: { session_id: session } }) },
      { label: 'AUTH_ACCOUNT_DELETED without session', body: event({ event_name: 'AUTH_ACCOUNT_DELETED', user: { user_id: deletedUser } }) },
      { label: 'event name not allowed', body: event({ event_name: 'AUTH_SOMETHING_ELSE', user: { session_id: session } }) },
      { label: 'no timestamp', body: JSON.stringify({ event_name: 'AUTH_LOG_IN_SUCCESS', user: { session_id: session } }) },
      { label: 'session_id not a UUID', body: event({ event_name: 'AUTH_LOG_IN_SUCCESS', user: { session_id: 'abc' } }) },
    ],
  };
}
