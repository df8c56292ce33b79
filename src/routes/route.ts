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

/** The SQS delivery a body came from, for routes whose event depends on it. */
export interface MessageContext {
  /** SQS MessageId of this delivery. */
  readonly messageId: string;
  /** When SQS accepted the message (its `SentTimestamp`). */
  readonly sentAt: Date;
}

/** Everything the bridge needs to know about one route. */
export interface RouteDefinition<TEvent = unknown> {
  readonly name: RouteName;
  /** Name of the workflow function started for each event. */
  readonly workflowType: string;
  /** Chooses the workflow per event instead (the tasks route dispatches by action). */
  workflowTypeOf?(event: TEvent): string;
  /** Validates a decoded body. Never throws: every failure is a `rejected` outcome. */
  parse(body: unknown, message: MessageContext): ParseOutcome<TEvent>;
}

/** The workflow type to start for `event` on `route`. */
export function toWorkflowType<TEvent>(route: RouteDefinition<TEvent>, event: TEvent): string {
  return route.workflowTypeOf ? route.workflowTypeOf(event) : route.workflowType;
}

/** `<route>/<eventKey>`: one workflow per event. */
export function toWorkflowId(route: RouteName, eventKey: string): string {
  return `${route}/${eventKey}`;
}
