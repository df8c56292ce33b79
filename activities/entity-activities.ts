import type { EntityArchivingDeps } from './entity-archiving-activities';
import { createEntityArchivingActivities } from './entity-archiving-activities';
import type { EntityPublishingDeps } from './entity-publishing-activities';
import { createEntityPublishingActivities } from './entity-publishing-activities';

export {
  type ArchivePageInput,
  type ArchivePageResult,
  type ArchiveSummary,
  type ArchiveSummaryInput,
  ArchiveIncompleteError,
  DocumentsLockedError,
} from './entity-archiving-activities';
export {
  type PublishArchiveEventsInput,
  type PublishArchiveEventsResult,
  EVENT_DESTINATION_UNAVAILABLE,
  EventPublishError,
  toAuditEvent,
  toDocumentEvent,
} from './entity-publishing-activities';

/** What the entity activities need: the documents and outbox tables, SNS and SQS. */
export type EntityActivityDeps = EntityArchivingDeps & EntityPublishingDeps;

/**
 * Activities of the entity-deleted cascade: archiving
 * (`entity-archiving-activities.ts`: `archiveDocumentsPage`, `summarizeArchive`)
 * and publishing (`entity-publishing-activities.ts`: `publishArchiveEvents`).
 */
export function createEntityActivities(deps: EntityActivityDeps) {
  return { ...createEntityArchivingActivities(deps), ...createEntityPublishingActivities(deps) };
}

/** The entity activities, as registered with the worker. */
export type EntityActivities = ReturnType<typeof createEntityActivities>;
