import type { RouteName } from './route-names';

/** Search attributes a route may set on its cascades (all Keyword, no PII). */
export interface CascadeSearchAttributes {
  readonly EntityId?: string;
  readonly EntityType?: string;
}

/** What parsing one decoded message body produced. */
export type ParseOutcome<TEvent> =
  | {
      readonly kind: 'event';
      readonly event: TEvent;
      /** Stable identity of the event; the workflow ID is `<route>/<eventKey>`. No PII. */
      readonly eventKey: string;
      readonly searchAttributes?: CascadeSearchAttributes;
    }
  /** Valid, but nothing for Cascade to do (logged, counted, deleted). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** Malformed or invalid (quarantined with the reason, deleted). */
  | { readonly kind: 'rejected'; readonly reason: string };

/** Everything the bridge needs to know about one route. */
export interface RouteDefinition<TEvent = unknown> {
  readonly name: RouteName;
  /** Name of the workflow function started for each event. */
  readonly workflowType: string;
  /** Validates a decoded body. Never throws: every failure is a `rejected` outcome. */
  parse(body: unknown): ParseOutcome<TEvent>;
}

/** `<route>/<eventKey>`: one workflow per event. */
export function toWorkflowId(route: RouteName, eventKey: string): string {
  return `${route}/${eventKey}`;
}
