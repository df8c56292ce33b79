import { ApplicationFailure } from '@temporalio/activity';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import { isEntityType } from '../src/shared/entity-deleted';

/** Checks of the entity activities' input shared by archiving and publishing. */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Throws a non-retryable input failure unless `entityId` is a lower-case UUID and `entityType` an entity type with documents. */
export function assertTarget(entityId: string, entityType: string): void {
  if (typeof entityId !== 'string' || !UUID_PATTERN.test(entityId)) {
    throw ApplicationFailure.nonRetryable(`entityId must be a lower-case UUID, got ${JSON.stringify(entityId)}`, NON_RETRYABLE_INPUT_ERROR);
  }
  if (typeof entityType !== 'string' || !isEntityType(entityType)) {
    throw ApplicationFailure.nonRetryable(`entityType ${JSON.stringify(entityType)} is not an entity type with documents`, NON_RETRYABLE_INPUT_ERROR);
  }
}

/** Throws a non-retryable input failure unless `value` is a positive safe integer. */
export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw ApplicationFailure.nonRetryable(`${name} must be a positive integer, got ${String(value)}`, NON_RETRYABLE_INPUT_ERROR);
  }
}
