import { StackError } from './stack-error';
import { TEMPORAL_VARIANTS, type TemporalVariant } from './types';

/** Environment variable choosing the stack's Temporal (`dev` or `server`), read by `cascade stack up` / `dev`, the tests and the bench. */
export const STACK_TEMPORAL_ENV = 'CASCADE_STACK_TEMPORAL';

/** True when `value` names a {@link TemporalVariant}. */
export function isTemporalVariant(value: string): value is TemporalVariant {
  return (TEMPORAL_VARIANTS as readonly string[]).includes(value);
}

/**
 * The stack's Temporal from `$CASCADE_STACK_TEMPORAL` (unset or empty: `dev`).
 * @throws StackError naming the variable when its value is neither `dev` nor `server`
 */
export function toTemporalVariant(env: NodeJS.ProcessEnv = process.env): TemporalVariant {
  const value = env[STACK_TEMPORAL_ENV]?.trim() ?? '';
  if (value === '') return 'dev';
  if (isTemporalVariant(value)) return value;
  throw new StackError('stack', `${STACK_TEMPORAL_ENV} is "${value}", not one of ${TEMPORAL_VARIANTS.join(', ')}.`, `Set ${STACK_TEMPORAL_ENV}=dev (the Temporal CLI dev server) or ${STACK_TEMPORAL_ENV}=server (the Temporal server on PostgreSQL), or unset it.`);
}
