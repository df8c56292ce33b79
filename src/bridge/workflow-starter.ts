import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { CascadeSearchAttributes } from '../routes/route';
import { type RouteDefinition, toWorkflowId, toWorkflowType } from '../routes/route';
import type { ActivityPolicyInput, CascadeInput, CascadeMemo } from '../shared/cascade-input';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { WorkflowStartError, isTemporalUnavailableError } from './errors';

/** What {@link createWorkflowStarter} needs. */
export interface WorkflowStarterOptions {
  readonly client: Client;
  readonly taskQueue: string;
  readonly activityPolicy: ActivityPolicyInput;
  /** Longest wait for Temporal's answer before the start counts as failed. @default 10000 */
  readonly startTimeoutMs?: number;
  /** Longest wait for Temporal's answer to a {@link StartCascade.probe}. @default 5000 */
  readonly probeTimeoutMs?: number;
}

/** One event to start a cascade for. */
export interface StartRequest {
  readonly route: RouteDefinition;
  readonly eventKey: string;
  readonly event: unknown;
  readonly searchAttributes?: CascadeSearchAttributes;
  readonly memo: CascadeMemo;
}

/** `started`: a new cascade; `duplicate`: Temporal already had one for this event (running or closed). */
export type StartResult = { readonly status: 'started' | 'duplicate'; readonly workflowId: string };

/**
 * Starts one cascade. Throws {@link WorkflowStartError} for anything but
 * "already started".
 */
export interface StartCascade {
  (request: StartRequest): Promise<StartResult>;
  /**
   * Asks Temporal to describe the namespace starts go to (a call that needs
   * its frontend and persistence, as a start does). Resolves when Temporal
   * answered, whatever the answer; rejects only when it did not
   * (see {@link isTemporalUnavailableError}).
   */
  probe(): Promise<void>;
}

/**
 * Starts one workflow per event: ID `<route>/<eventKey>`, REJECT_DUPLICATE and
 * conflict policy FAIL, so Temporal itself refuses a second run of an event.
 * Throws {@link WorkflowStartError} for anything but "already started".
 */
export function createWorkflowStarter(options: WorkflowStarterOptions): StartCascade {
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  async function probe(): Promise<void> {
    const { client } = options;
    try {
      await client.connection.withDeadline(Date.now() + probeTimeoutMs, () => client.workflowService.describeNamespace({ namespace: client.options.namespace }));
    } catch (error) {
      if (isTemporalUnavailableError(error)) throw error;
    }
  }
  async function startCascade(request: StartRequest): Promise<StartResult> {
    const workflowId = toWorkflowId(request.route.name, request.eventKey);
    const input: CascadeInput<unknown> = {
      route: request.route.name,
      eventKey: request.eventKey,
      event: request.event,
      activity: options.activityPolicy,
    };
    const searchAttributes: SearchAttributePair[] = [
      { key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: request.route.name },
      { key: SEARCH_ATTRIBUTE_KEYS.EventKey, value: request.eventKey },
    ];
    if (request.searchAttributes?.EntityId) searchAttributes.push({ key: SEARCH_ATTRIBUTE_KEYS.EntityId, value: request.searchAttributes.EntityId });
    if (request.searchAttributes?.EntityType) searchAttributes.push({ key: SEARCH_ATTRIBUTE_KEYS.EntityType, value: request.searchAttributes.EntityType });
    try {
      await options.client.connection.withDeadline(Date.now() + timeoutMs, () =>
        options.client.workflow.start(toWorkflowType(request.route, request.event), {
          workflowId,
          taskQueue: options.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          typedSearchAttributes: searchAttributes,
          memo: { ...request.memo },
        }),
      );
      return { status: 'started', workflowId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { status: 'duplicate', workflowId };
      throw new WorkflowStartError(workflowId, error);
    }
  }
  return Object.assign(startCascade, { probe });
}
