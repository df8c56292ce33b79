import { accountEventsRoute } from './account-events';
import type { RouteDefinition } from './route';
import type { RouteName } from './route-names';

/**
 * Every route definition, by name. Adding a route: define its parser in
 * `src/routes/<route>.ts`, its workflow in `workflows/`, its activities in
 * `activities/`, and register it here and in `config/queues.json`.
 */
export const ROUTES: { readonly [K in RouteName]: RouteDefinition } = {
  'account-events': accountEventsRoute,
};

/** The definition of `route`. */
export function getRoute(route: RouteName): RouteDefinition {
  return ROUTES[route];
}
