import { z } from 'zod';
import { INCENTIVE_EVENT_ACTION, type IncentiveEventItem, type TaskAction, type TaskEvent } from '../shared/tasks';
import type { WorkflowType } from '../temporal/workflow-type';

/** What a handler made of a task's `data`. */
export type TaskDataOutcome<TData> =
  | { readonly kind: 'valid'; readonly data: TData }
  /** Valid, but nothing to do (logged, counted, deleted). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** Invalid (quarantined with the reason). */
  | { readonly kind: 'rejected'; readonly reason: string };

/** How the tasks route handles one action: which workflow runs it, and how its `data` is validated. */
export interface TaskActionHandler<TTask extends TaskEvent = TaskEvent> {
  /** Name of the workflow started for a task with this action (exported from `workflows/index.ts`). */
  readonly workflowType: WorkflowType;
  /** Validates and normalizes `data`. Never throws. */
  parse(data: unknown): TaskDataOutcome<TTask['data']>;
}

/** One handler per action of {@link TaskEvent}: the compiler asks for a handler when an action is added there. */
export type TaskActionHandlers = { readonly [A in TaskAction]: TaskActionHandler<Extract<TaskEvent, { action: A }>> };

const incentiveEventSchema = z.object({
  userIds: z.array(z.string({ message: 'must be a string' }).min(1, 'must be a non-empty string'), { message: 'is required and must be an array of user IDs' }).min(1, 'must list at least one user'),
  eventName: z.string({ message: 'is required and must be a string' }).min(1, 'must be a non-empty string'),
  eventMeta: z.json({ message: 'must be a JSON value' }).optional(),
});

const incentiveEventsSchema = z.array(incentiveEventSchema, { message: 'must be an array of events {userIds, eventName, eventMeta}' });

/**
 * Validates the `data` of an `event` task: a list of `{userIds, eventName,
 * eventMeta}`. An empty list is valid but ignored. Unknown fields of an event
 * are dropped.
 */
export function parseIncentiveEvents(data: unknown): TaskDataOutcome<readonly IncentiveEventItem[]> {
  const parsed = incentiveEventsSchema.safeParse(data);
  if (!parsed.success) return { kind: 'rejected', reason: toReason(parsed.error) };
  if (parsed.data.length === 0) return { kind: 'ignored', reason: 'event task with no events' };
  const events = parsed.data.map(({ userIds, eventName, eventMeta }): IncentiveEventItem => ({
    userIds,
    eventName,
    ...(eventMeta === undefined ? {} : { eventMeta }),
  }));
  return { kind: 'valid', data: events };
}

/**
 * The handler of every action. How to add one: docs/routes.md, "How to add an
 * action handler" (a task type in `src/shared/tasks.ts`, a workflow, an entry here).
 */
export const TASK_ACTION_HANDLERS: TaskActionHandlers = {
  [INCENTIVE_EVENT_ACTION]: { workflowType: 'incentiveEventsWorkflow', parse: parseIncentiveEvents },
};

/** The handler of `action`, or undefined when there is none. */
export function findTaskActionHandler(action: string): TaskActionHandler | undefined {
  return Object.hasOwn(TASK_ACTION_HANDLERS, action) ? TASK_ACTION_HANDLERS[action as TaskAction] : undefined;
}

/** The actions that have a handler, for messages. */
export function listTaskActions(): string[] {
  return Object.keys(TASK_ACTION_HANDLERS);
}

/** Issues named in a rejection reason; a batch of 500 bad events would otherwise make a huge reason. */
const MAX_REASON_ISSUES = 5;

function toReason(error: z.ZodError): string {
  const named = error.issues
    .slice(0, MAX_REASON_ISSUES)
    .map((issue) => `data${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
  const more = error.issues.length - named.length;
  return more > 0 ? `${named.join('; ')}; and ${more} more issue(s)` : named.join('; ');
}
