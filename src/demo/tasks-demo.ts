import { randomBytes } from 'node:crypto';
import type { DemoScenario } from './demo-scenario';

/** Incentive events for two fresh users, a re-sent batch, and tasks without a handler. */
export function createTasksDemoScenario(): DemoScenario {
  const run = randomBytes(3).toString('hex');
  const users = [`demo-user-a-${run}`, `demo-user-b-${run}`];
  const events = JSON.stringify({
    action: 'event',
    data: [
      { userIds: users, eventName: 'profile.completed', eventMeta: { source: 'demo' } },
      { userIds: [users[0]], eventName: 'referral.sent', eventMeta: { count: 1 } },
      { userIds: [users[1]], eventName: 'course.finished' },
    ],
  });
  return {
    route: 'tasks',
    async seed() {},
    async effects({ prisma }) {
      const rows = await prisma.incentiveEvent.findMany({ where: { userId: { in: users } }, orderBy: [{ userId: 'asc' }, { eventName: 'asc' }] });
      return {
        title: 'incentive_events of the demo users (one row per user per event)',
        header: ['user', 'event', 'meta'],
        rows: rows.map((r) => [r.userId, r.eventName, r.eventMeta === null ? '' : JSON.stringify(r.eventMeta)]),
      };
    },
    messages: [
      { label: 'event batch (3 events, 4 user rows)', body: events },
      { label: 'event batch again (re-sent)', body: events },
      { label: 'action without a handler', body: JSON.stringify({ action: 'sendNewsletter', data: { to: users[0] } }) },
      { label: 'no action', body: JSON.stringify({ data: {} }) },
      { label: 'event item without userIds', body: JSON.stringify({ action: 'event', data: [{ eventName: 'x' }] }) },
    ],
  };
}
