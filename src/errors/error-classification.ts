import type { FailureType } from '../shared/failure-types';
import { isRecord } from '../shared/parse-helpers';

/**
 * What a retry can do about an error: a transient one (an outage, a timeout,
 * throttling, a lost race) may pass; a permanent one (bad input, a constraint,
 * denied access, a missing resource) will fail the same way every time.
 */
export interface ErrorClassification {
  /** True when the same call may succeed later. */
  readonly retryable: boolean;
  /** Stable name of the kind of failure, e.g. `DatabaseConstraintViolation`; the failure type of a non-retryable activity failure. */
  readonly type: FailureType;
  /** What went wrong, for people: the dependency, the code and the original message. */
  readonly reason: string;
}

/** Classifies one error object of one dependency; `undefined` when the object is not that dependency's or its code is not in the table. */
export type ErrorClassifier = (error: unknown) => ErrorClassification | undefined;

/** One table row: the failure type and whether a retry can help. */
export interface ErrorRule {
  readonly retryable: boolean;
  readonly type: FailureType;
}

/** A transient row of a table. */
export function transient(type: FailureType): ErrorRule {
  return { retryable: true, type };
}

/** A permanent row of a table. */
export function permanent(type: FailureType): ErrorRule {
  return { retryable: false, type };
}

/** A string property of an object-like value, if it has one. */
export function readStringField(value: unknown, field: string): string | undefined {
  if (!isRecord(value) || !(field in value)) return undefined;
  const found = value[field];
  return typeof found === 'string' ? found : undefined;
}

/** The row of `table` for `key` (own keys only, so `constructor` and friends never match). */
export function lookupRule(table: Readonly<Record<string, ErrorRule>>, key: string | undefined): ErrorRule | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
