import type { CascadeConfig } from '../config';
import { accountEventsRoute } from './account-events';
import type { RouteDefinition } from './route';
import type { RouteName } from './route-names';

/** Every route definition, by name. */
export type RouteRegistry = { readonly [K in RouteName]: RouteDefinition };

/**
 * Builds every route definition from the configuration (allow-lists and the
 * like). Adding a route: define its parser in `src/routes/<route>.ts`, its
 * workflow in `workflows/`, its activities in `activities/`, and register it
 * here, in `src/routes/route-names.ts` and in `config/queues.json`.
 */
export function createRoutes(_config: CascadeConfig): RouteRegistry {
  return {
    'account-events': accountEventsRoute,
  };
}
