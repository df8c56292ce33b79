/**
 * Every route Cascade knows, one per replaced SQS consumer. Later routes are
 * added here, in `src/routes/registry.ts` and in `config/queues.json`.
 */
export const ROUTE_NAMES = ['account-events', 'entity-deleted', 'email-archive', 'audit-events', 'tasks'] as const;

/** Name of one route, e.g. `account-events`. */
export type RouteName = (typeof ROUTE_NAMES)[number];

/** True when `value` names a known route. */
export function isRouteName(value: string): value is RouteName {
  return (ROUTE_NAMES as readonly string[]).includes(value);
}

/** Environment variable holding a route's queue URL: `account-events` → `CASCADE_QUEUE_URL_ACCOUNT_EVENTS`. */
export function toQueueUrlVariable(route: string): string {
  return `CASCADE_QUEUE_URL_${route.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
