import { type AccountActivityDeps, createAccountActivities } from './account-activities';

/** Everything the activities of all routes need, built once by the worker. */
export type ActivityDeps = AccountActivityDeps;

/** All activities of all routes, as registered with the worker. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAccountActivities(deps),
  };
}

/** Every activity the worker registers. */
export type Activities = ReturnType<typeof createActivities>;
