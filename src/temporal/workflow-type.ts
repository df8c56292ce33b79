import type * as workflows from '../../workflows';

/**
 * Name of a workflow the worker registers: an export of `workflows/index.ts`
 * (type-only, so nothing of the workflow code is loaded here). A misspelt or
 * unexported workflow type does not compile.
 */
export type WorkflowType = keyof typeof workflows;
