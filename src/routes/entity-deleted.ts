import { z } from 'zod';
import type { CascadeConfig } from '../config';
import { ENTITY_TYPES, type EntityDeletedEvent, isEntityType } from '../shared/entity-deleted';
import type { ParseOutcome, RouteDefinition } from './route';
import { toIssueList } from '../shared/parse-helpers';

/** Longest accepted `event_id` (it becomes part of the workflow ID). */
export const MAX_EVENT_ID_LENGTH = 128;

/** Longest accepted `source`. */
const MAX_SOURCE_LENGTH = 256;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

const requiredString = (what: string) => z.string({ message: `is required and must be a string${what}` });

const envelopeSchema = z.object({
  action: requiredString(''),
  entity_type: requiredString(''),
});

const eventSchema = z.object({
  event_id: requiredString('')
    .min(1, 'must not be empty')
    .max(MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`)
    .regex(EVENT_ID_PATTERN, 'may contain only letters, digits and . _ : -'),
  source: requiredString('').trim().min(1, 'must be a non-empty string').max(MAX_SOURCE_LENGTH, `must be at most ${MAX_SOURCE_LENGTH} characters`),
  entity_id: requiredString(' (a UUID)').regex(UUID_PATTERN, 'must be a UUID'),
});

/** What the entity-deleted parser needs from the configuration. */
export interface EntityDeletedRouteOptions {
  /** Actions that archive an entity's documents; any other action is ignored. */
  readonly actions: readonly string[];
  /** Documents per page, carried in the event so re-runs keep it. */
  readonly pageSize: number;
}

/**
 * Parses an entity-service event `{event_id, source, action, entity_id,
 * entity_type}`. Actions outside `options.actions` and entity types outside
 * {@link ENTITY_TYPES} are ignored; missing or malformed fields are rejected
 * with the field named. Never throws.
 */
export function parseEntityDeletedEvent(body: unknown, options: EntityDeletedRouteOptions): ParseOutcome<EntityDeletedEvent> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'entity event must be a JSON object' };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'rejected', reason: toIssueList(envelope.error) };
  const { action, entity_type: entityType } = envelope.data;
  if (!options.actions.includes(action)) {
    return { kind: 'ignored', reason: `action "${action}" is not handled (handled: ${options.actions.join(', ')})` };
  }
  if (!isEntityType(entityType)) {
    return { kind: 'ignored', reason: `entity_type "${entityType}" has no documents to archive (handled: ${ENTITY_TYPES.join(', ')}); event ignored` };
  }
  const parsed = eventSchema.safeParse(body);
  if (!parsed.success) return { kind: 'rejected', reason: toIssueList(parsed.error) };
  const entityId = parsed.data.entity_id.toLowerCase();
  const event: EntityDeletedEvent = {
    eventId: parsed.data.event_id,
    source: parsed.data.source,
    action,
    entityId,
    entityType,
    pageSize: options.pageSize,
  };
  return { kind: 'event', event, eventKey: event.eventId, searchAttributes: { EntityId: entityId, EntityType: entityType } };
}

/** The `entity-deleted` route: archives a deleted entity's documents, configured from `config.entityDeleted`. */
export function createEntityDeletedRoute(config: Pick<CascadeConfig, 'entityDeleted'>): RouteDefinition<EntityDeletedEvent, 'entity-deleted'> {
  const options: EntityDeletedRouteOptions = { actions: config.entityDeleted.actions, pageSize: config.entityDeleted.pageSize };
  return {
    name: 'entity-deleted',
    workflowType: 'entityDeletedWorkflow',
    parse: (body) => parseEntityDeletedEvent(body, options),
  };
}
