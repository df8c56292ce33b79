import { classifyAwsError } from './aws-errors';
import type { ErrorClassification, ErrorClassifier } from './error-classification';
import { toErrorMessage } from './error-message';
import { classifyNetworkError } from './network-errors';
import { classifyPostgresError } from './postgres-errors';
import { FAILURE_TYPES } from '../shared/failure-types';

/** The per-dependency tables, asked in this order for each error of a `cause` chain. */
const CLASSIFIERS: readonly ErrorClassifier[] = [classifyAwsError, classifyPostgresError, classifyNetworkError];

/** How deep the `cause` chain is followed (a cycle must not loop). */
const MAX_CAUSE_DEPTH = 10;

/** The failure type of an error no table knows; it is retried, as Temporal retries any error. */
export const UNCLASSIFIED_ERROR = FAILURE_TYPES.Unclassified;

/**
 * Classifies what an activity threw, walking the `cause` chain (an
 * activity's own error wrapping a Prisma error wrapping a driver-adapter
 * error…): the first link a dependency's table knows decides. An error no
 * table knows is retryable (an unknown fault should ride out an outage, not
 * fail a cascade), with the outermost message as its reason.
 */
export function classifyActivityError(error: unknown): ErrorClassification {
  const seen = new Set<unknown>();
  let link: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && link !== undefined && link !== null && !seen.has(link); depth++) {
    seen.add(link);
    for (const classify of CLASSIFIERS) {
      const found = classify(link);
      if (found !== undefined) return link === error ? found : { ...found, reason: withOuterMessage(error, found.reason) };
    }
    link = typeof link === 'object' && 'cause' in link ? link.cause : undefined;
  }
  return { retryable: true, type: UNCLASSIFIED_ERROR, reason: toErrorMessage(error) };
}

/** The outer error's message, followed by the deciding link's reason unless it says the same. */
function withOuterMessage(error: unknown, reason: string): string {
  const outer = toErrorMessage(error);
  return outer.length === 0 || reason.endsWith(outer) ? reason : `${outer} (${reason})`;
}
