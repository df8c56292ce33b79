import type { CascadeConfig } from '../config';
import { createAccountEventsRoute } from './account-events';
import { createAuditEventsRoute } from './audit-events';
import { emailArchiveRoute } from './email-archive';
import { createEntityDeletedRoute } from './entity-deleted';
import { type RouteDefinition, guardRoute } from './route';
import type { RouteName } from './route-names';
import { tasksRoute } from './tasks';

/**
 * Every route definition, by name: total over {@link RouteName}, so a name
 * added to `ROUTE_NAMES` does not compile until its definition is registered
 * here, and each entry must be the route of its own name.
 */
export type RouteRegistry = { readonly [R in RouteName]: RouteDefinition<unknown, R> };

/**
 * Builds every route definition from the configuration (allow-lists and the
 * like). Adding a route: docs/routes.md, "How to add a route".
 */
export function createRoutes(config: CascadeConfig): RouteRegistry {
  // Every route is guarded: its parse never throws and never passes on text PostgreSQL cannot store.
  return {
    'account-events': guardRoute(createAccountEventsRoute(config)),
    'entity-deleted': guardRoute(createEntityDeletedRoute(config)),
    'email-archive': guardRoute(emailArchiveRoute),
    'audit-events': guardRoute(createAuditEventsRoute(config)),
    tasks: guardRoute(tasksRoute),
  };
}
