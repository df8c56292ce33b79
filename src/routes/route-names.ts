/**
 * Every route Cascade knows, one per replaced SQS consumer. A route is added
 * here first; the compiler then asks for its registrations (docs/routes.md,
 * "How to add a route").
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
