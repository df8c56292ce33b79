/*
 * Test-only workflow code: the entity-deleted workflow as it would be after a
 * change shipped WITHOUT `patched()` — it records the progress carried into a
 * continued run in the memo before its first page, a command earlier runs
 * never issued. Replaying (or resuming) a recorded run with progress against
 * it must fail with a DeterminismViolationError.
 */
import { upsertMemo } from '@temporalio/workflow';
import type { EntityDeletedInput, EntityDeletedResult } from '../../../src/shared/entity-deleted';
import { entityDeletedWorkflow as releasedEntityDeletedWorkflow } from '../../../workflows/entity-deleted';

export async function entityDeletedWorkflow(input: EntityDeletedInput): Promise<EntityDeletedResult> {
  if (input.progress !== undefined) upsertMemo({ progress: input.progress });
  return releasedEntityDeletedWorkflow(input);
}
