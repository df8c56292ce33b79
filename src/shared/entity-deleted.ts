/*
 * Types and constants shared by the entity-deleted route, its workflow and its
 * activities. Workflow code imports this file: no Node built-ins, no side effects.
 */
import type { CascadeInput } from './cascade-input';

/** Entity types whose deletion archives their documents; any other type is ignored. */
export const ENTITY_TYPES = ['issuer', 'investor', 'deal', 'token', 'compliance'] as const;

/** One of {@link ENTITY_TYPES}. */
export type EntityType = (typeof ENTITY_TYPES)[number];

/** True when `value` is one of {@link ENTITY_TYPES}. */
export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

/** `archive_reason` of the documents this cascade archives, also the events' `reason`. */
export const ARCHIVE_REASON = 'entity_deleted';

/** `source` of the audit events this cascade emits. */
export const AUDIT_EVENT_SOURCE = 'document-vault-service';

/** `action` of the audit events and `event_type` of the document events. */
export const DOCUMENT_ARCHIVED = 'document.archived';

/**
 * Pages one run archives before it continues as new. Each page costs about a
 * dozen history events (two activities, their workflow tasks), so a run stays
 * near 1,200 events, far below Temporal's 10,000-event guidance.
 */
export const DEFAULT_PAGES_PER_RUN = 100;

/**
 * A run also continues as new once its history reaches this many events,
 * whatever the page count (a safety net for retries and signals).
 */
export const MAX_HISTORY_EVENTS_PER_RUN = 5000;

/** A validated `entity.deleted` event, as the cascade receives it. */
export interface EntityDeletedEvent {
  /** The producer's event ID, also the cascade's event key. */
  readonly eventId: string;
  readonly source: string;
  readonly action: string;
  /** Lower-case UUID of the deleted entity. */
  readonly entityId: string;
  readonly entityType: EntityType;
  /** Documents per page (`CASCADE_ARCHIVE_PAGE_SIZE` when the event arrived), so a re-run keeps it. */
  readonly pageSize: number;
}

/** Totals of a cascade so far, carried from run to run across `continueAsNew`. */
export interface EntityDeletedProgress {
  readonly documentsArchived: number;
  readonly auditEventsPublished: number;
  readonly documentEventsPublished: number;
  readonly pages: number;
  /** Runs completed before this one (0 in the first run). */
  readonly runs: number;
}

/** Input of the entity-deleted workflow: the bridge's input, plus what later runs carry. */
export interface EntityDeletedInput extends CascadeInput<EntityDeletedEvent> {
  /** Totals of the earlier runs of this cascade; absent in the first run. */
  readonly progress?: EntityDeletedProgress;
  /** Pages per run before `continueAsNew`. @default DEFAULT_PAGES_PER_RUN */
  readonly pagesPerRun?: number;
}

/**
 * What an entity-deleted cascade did, over all of its runs. The counts are
 * read from the database at the end; a cascade completes only when none of
 * the entity's documents is unarchived and none of its events unpublished.
 */
export interface EntityDeletedResult extends EntityDeletedProgress {
  readonly entityId: string;
  readonly entityType: EntityType;
  /** Documents of the entity left unarchived when the cascade completed: 0. */
  readonly documentsLeft: number;
  /** Audit and document events of the entity left unpublished when the cascade completed: 0. */
  readonly eventsUnpublished: number;
}

/** A cascade that has done nothing yet. */
export const NO_PROGRESS: EntityDeletedProgress = { documentsArchived: 0, auditEventsPublished: 0, documentEventsPublished: 0, pages: 0, runs: 0 };
