import { z } from 'zod';
import { INCENTIVE_EVENT_ACTION, type TaskEvent } from '../shared/tasks';
import { toDigestEventKey } from './event-key';
import type { ParseOutcome, RouteDefinition } from './route';
import { TASK_ACTION_HANDLERS, findTaskActionHandler, listTaskActions } from './task-actions';

const taskSchema = z.object({
  action: z.string({ message: 'is required and must be a string' }).min(1, 'must be a non-empty string'),
  data: z.unknown().optional(),
});

/** Longest action name quoted back in a rejection reason. */
const MAX_QUOTED_ACTION = 100;

/**
 * Parses a portal task `{action, data}`: the action must have a handler
 * (`src/routes/task-actions.ts`), which validates `data`. A task without a
 * handler is rejected with that reason, so it waits in quarantine until one
 * exists. The event key is the digest of the canonical task, so a re-sent
 * task is a duplicate.
 */
export function parseTask(body: unknown): ParseOutcome<TaskEvent> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'task must be a JSON object {action, data}' };
  }
  const parsed = taskSchema.safeParse(body);
  if (!parsed.success) {
    return { kind: 'rejected', reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ') };
  }
  const { action, data } = parsed.data;
  const handler = findTaskActionHandler(action);
  if (handler === undefined) {
    const quoted = JSON.stringify(action.length > MAX_QUOTED_ACTION ? `${action.slice(0, MAX_QUOTED_ACTION)}…` : action);
    return { kind: 'rejected', reason: `action ${quoted} has no handler (handled: ${listTaskActions().join(', ')}); redrive the message once a handler exists` };
  }
  const outcome = handler.parse(data);
  if (outcome.kind !== 'valid') return outcome;
  const task = { action, data: outcome.data } as TaskEvent;
  return { kind: 'event', event: task, eventKey: toDigestEventKey(task) };
}

/** The `tasks` route: portal tasks dispatched by action to the workflow of their handler. */
export const tasksRoute: RouteDefinition<TaskEvent> = {
  name: 'tasks',
  workflowType: TASK_ACTION_HANDLERS[INCENTIVE_EVENT_ACTION].workflowType,
  workflowTypeOf: (task) => TASK_ACTION_HANDLERS[task.action].workflowType,
  parse: parseTask,
};
