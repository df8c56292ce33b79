import { findJsonProblem, toJsonProblemReason } from './json-inspection';
import type { RouteName } from './route-names';
import type { WorkflowType } from '../temporal/workflow-type';

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

/** Everything the bridge needs to know about one route (`TName`: its name, as the registry checks it). */
export interface RouteDefinition<TEvent = unknown, TName extends RouteName = RouteName> {
  readonly name: TName;
  /** Name of the workflow function started for each event (an export of `workflows/index.ts`). */
  readonly workflowType: WorkflowType;
  /** Chooses the workflow per event instead (the tasks route dispatches by action). */
  workflowTypeOf?(event: TEvent): WorkflowType;
  /** Validates a decoded body. Never throws: every failure is a `rejected` outcome. */
  parse(body: unknown, message: MessageContext): ParseOutcome<TEvent>;
}

/** The workflow type to start for `event` on `route`. */
export function toWorkflowType<TEvent>(route: RouteDefinition<TEvent>, event: TEvent): WorkflowType {
  return route.workflowTypeOf ? route.workflowTypeOf(event) : route.workflowType;
}

/** `<route>/<eventKey>`: one workflow per event. */
export function toWorkflowId(route: RouteName, eventKey: string): string {
  return `${route}/${eventKey}`;
}

/**
 * `route` with a parse that holds the "never throws" promise whatever the
 * body: a body Cascade cannot store or handle (see {@link findJsonProblem}:
 * NUL or lone surrogates in any string or key, `__proto__` keys, nesting
 * deeper than `MAX_JSON_DEPTH`) is rejected naming the field before the
 * route's own parser sees it, and anything the parser throws becomes a
 * `rejected` outcome naming the error (never the body), so poison input goes
 * to quarantine instead of being retried into the dead-letter queue.
 */
export function guardRoute<TEvent, TName extends RouteName>(route: RouteDefinition<TEvent, TName>): RouteDefinition<TEvent, TName> {
  return {
    ...route,
    parse(body, message) {
      const problem = findJsonProblem(body);
      if (problem !== undefined) return { kind: 'rejected', reason: toJsonProblemReason(problem) };
      try {
        return route.parse(body, message);
      } catch (error) {
        return { kind: 'rejected', reason: toParserFailureReason(route.name, error) };
      }
    },
  };
}

/**
 * The reason for a parser that threw. The error's own message is kept only
 * for a RangeError (a stack overflow or an out-of-range length, which say
 * nothing of the input); any other message may echo the body, so only its
 * class is named.
 */
function toParserFailureReason(route: RouteName, error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const detail = error instanceof RangeError ? `: ${error.message}` : '';
  return `the ${route} parser failed on this body (${name}${detail}); the message is kept here unchanged`;
}
