import { z } from 'zod';
import { INCENTIVE_EVENT_ACTION, type TaskEvent } from '../shared/tasks';
import { toDigestEventKey } from './event-key';
import type { ParseOutcome, RouteDefinition } from './route';
import { TASK_ACTION_HANDLERS, findTaskActionHandler, listTaskActions } from './task-actions';
import { toIssueList } from '../shared/parse-helpers';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const taskSchema = z.object({
  action: z.string({ message: 'is required and must be a string' }).min(1, 'must be a non-empty string'),
  data: z.unknown().optional(),
  task_id: z.string({ message: 'must be a string (a UUID)' }).regex(UUID_PATTERN, 'must be a UUID').optional(),
});

/** Longest action name quoted back in a rejection reason. */
const MAX_QUOTED_ACTION = 100;

/**
 * Parses a portal task `{action, data}`: the action must have a handler
 * (`src/routes/task-actions.ts`), which validates `data`. A task without a
 * handler is rejected with that reason, so it waits in quarantine until one
 * exists. The event key is the task's `task_id` (a UUID the producer makes
 * once per message and keeps across its retries and outbox re-sends), so a
 * redelivery or re-send is a duplicate while two separate sends of the same
 * content are two cascades. A task without `task_id` (older producers) is
 * keyed by the digest of the canonical task instead.
 */
export function parseTask(body: unknown): ParseOutcome<TaskEvent> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'task must be a JSON object {action, data}' };
  }
  const parsed = taskSchema.safeParse(body);
  if (!parsed.success) {
    return { kind: 'rejected', reason: toIssueList(parsed.error) };
  }
  const { action, data, task_id: taskId } = parsed.data;
  const handler = findTaskActionHandler(action);
  if (handler === undefined) {
    const quoted = JSON.stringify(action.length > MAX_QUOTED_ACTION ? `${action.slice(0, MAX_QUOTED_ACTION)}…` : action);
    return { kind: 'rejected', reason: `action ${quoted} has no handler (handled: ${listTaskActions().join(', ')}); redrive the message once a handler exists` };
  }
  const outcome = handler.parse(data);
  if (outcome.kind !== 'valid') return outcome;
  const task = { action, data: outcome.data } as TaskEvent;
  return { kind: 'event', event: task, eventKey: taskId === undefined ? toDigestEventKey(task) : toTaskIdEventKey(taskId) };
}

/** The event key of a task with a `task_id`: `task-<uuid, lower case>` (a digest key is 64 hex digits, so the two never meet). */
export function toTaskIdEventKey(taskId: string): string {
  return `task-${taskId.toLowerCase()}`;
}

/** The `tasks` route: portal tasks dispatched by action to the workflow of their handler. */
export const tasksRoute: RouteDefinition<TaskEvent, 'tasks'> = {
  name: 'tasks',
  workflowType: TASK_ACTION_HANDLERS[INCENTIVE_EVENT_ACTION].workflowType,
  workflowTypeOf: (task) => TASK_ACTION_HANDLERS[task.action].workflowType,
  parse: parseTask,
};
