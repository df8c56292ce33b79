import type { CascadeConfig } from '../config';
import { createAccountEventsRoute } from './account-events';
import { createAuditEventsRoute } from './audit-events';
import { emailArchiveRoute } from './email-archive';
import { createEntityDeletedRoute } from './entity-deleted';
import { type RouteDefinition, guardRoute } from './route';
import type { RouteName } from './route-names';
import { tasksRoute } from './tasks';

/** Every route definition, by name. */
export type RouteRegistry = { readonly [K in RouteName]?: RouteDefinition };

/**
 * Builds every route definition from the configuration (allow-lists and the
 * like). Adding a route: define its parser in `src/routes/<route>.ts`, its
 * workflow in `workflows/`, its activities in `activities/`, and register it
 * here, in `src/routes/route-names.ts` and in `config/queues.json`.
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

/** Thrown when a route is configured but this build has no definition for it. */
export class RouteNotImplementedError extends Error {
  readonly route: RouteName;

  constructor(route: RouteName) {
    super(`route ${route} is configured but not implemented in this build; unset its queue URL or CASCADE_ROUTES entry`);
    this.name = 'RouteNotImplementedError';
    this.route = route;
  }
}

/** The definition of `route`. Throws {@link RouteNotImplementedError} when there is none. */
export function requireRoute(routes: RouteRegistry, route: RouteName): RouteDefinition {
  const definition = routes[route];
  if (!definition) throw new RouteNotImplementedError(route);
  return definition;
}
