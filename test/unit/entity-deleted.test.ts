import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { MAX_EVENT_ID_LENGTH, createEntityDeletedRoute, parseEntityDeletedEvent } from '../../src/routes/entity-deleted';
import { createRoutes } from '../../src/routes/registry';
import { ENTITY_TYPES } from '../../src/shared/entity-deleted';
import { toArchiveEventId, toUuidV5 } from '../../activities/entity-event-ids';

const OPTIONS = { actions: ['entity.deleted'], pageSize: 500 };
const ENTITY_ID = '3f2c4b1a-9d8e-4f7a-b6c5-0123456789ab';

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: 'evt-2026:11.24_001', source: 'entity-service', action: 'entity.deleted', entity_id: ENTITY_ID, entity_type: 'deal', ...overrides };
}

function without(field: string): Record<string, unknown> {
  const copy = body();
  delete copy[field];
  return copy;
}

function parse(value: unknown) {
  return parseEntityDeletedEvent(value, OPTIONS);
}

function rejected(value: unknown): string {
  const outcome = parse(value);
  assert.equal(outcome.kind, 'rejected', `expected rejected, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

function ignored(value: unknown): string {
  const outcome = parse(value);
  assert.equal(outcome.kind, 'ignored', `expected ignored, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'ignored' ? outcome.reason : '';
}

describe('entity-deleted parsing', () => {
  it('when a valid event arrives, then it carries the entity, the page size, event_id as key and the search attributes', () => {
    const outcome = parse(body());
    assert.deepEqual(outcome, {
      kind: 'event',
      event: { eventId: 'evt-2026:11.24_001', source: 'entity-service', action: 'entity.deleted', entityId: ENTITY_ID, entityType: 'deal', pageSize: 500 },
      eventKey: 'evt-2026:11.24_001',
      searchAttributes: { EntityId: ENTITY_ID, EntityType: 'deal' },
    });
  });

  it('when the entity type is any of the five with documents, then the event is accepted', () => {
    for (const type of ENTITY_TYPES) assert.equal(parse(body({ entity_type: type })).kind, 'event', type);
  });

  it('when entity_id is an upper-case UUID, then it is normalised to lower case', () => {
    const outcome = parse(body({ entity_id: ENTITY_ID.toUpperCase() }));
    assert.equal(outcome.kind === 'event' && outcome.event.entityId, ENTITY_ID);
    assert.equal(outcome.kind === 'event' && outcome.searchAttributes?.EntityId, ENTITY_ID);
  });

  it('when the action is not configured, then the event is ignored with the action named', () => {
    assert.match(ignored(body({ action: 'entity.updated' })), /action "entity.updated" is not handled \(handled: entity.deleted\)/);
  });

  it('when the action is not configured, then it is ignored even if other fields are malformed', () => {
    assert.match(ignored({ action: 'entity.created', entity_type: 'deal', entity_id: 'not-a-uuid' }), /is not handled/);
  });

  it('when the configuration lists other actions, then those are handled and the default is ignored', () => {
    const options = { actions: ['entity.deleted', 'entity.purged'], pageSize: 25 };
    const outcome = parseEntityDeletedEvent(body({ action: 'entity.purged' }), options);
    assert.equal(outcome.kind === 'event' && outcome.event.action, 'entity.purged');
    assert.equal(outcome.kind === 'event' && outcome.event.pageSize, 25);
    assert.equal(parseEntityDeletedEvent(body({ action: 'entity.deleted' }), { actions: ['entity.purged'], pageSize: 1 }).kind, 'ignored');
  });

  it('when the entity type has no documents, then the event is ignored with a warning naming the type', () => {
    const reason = ignored(body({ entity_type: 'widget' }));
    assert.match(reason, /entity_type "widget" has no documents to archive/);
    assert.match(reason, /issuer, investor, deal, token, compliance/);
    assert.equal(parse(body({ entity_type: 'Deal' })).kind, 'ignored', 'types are case-sensitive');
  });

  it('when the body is not an object, then it is rejected', () => {
    for (const value of [null, 42, 'entity.deleted', [], true]) assert.match(rejected(value), /must be a JSON object/);
  });

  it('when a required field is missing, then the reason names it', () => {
    assert.match(rejected(without('action')), /^action: is required/);
    assert.match(rejected(without('entity_type')), /^entity_type: is required/);
    assert.match(rejected(without('event_id')), /^event_id: is required/);
    assert.match(rejected(without('source')), /^source: is required/);
    assert.match(rejected(without('entity_id')), /^entity_id: is required/);
  });

  it('when a field has the wrong type, then the reason names it', () => {
    assert.match(rejected(body({ action: 7 })), /^action: is required and must be a string/);
    assert.match(rejected(body({ entity_type: ['deal'] })), /^entity_type: is required and must be a string/);
    assert.match(rejected(body({ event_id: 42 })), /^event_id: is required and must be a string/);
    assert.match(rejected(body({ source: {} })), /^source: is required and must be a string/);
    assert.match(rejected(body({ entity_id: 12345 })), /^entity_id: is required and must be a string/);
  });

  it('when entity_id is not a UUID, then it is rejected', () => {
    for (const id of ['deal-42', '', `${ENTITY_ID}x`, ENTITY_ID.replace(/-/g, ''), 'g'.repeat(8) + ENTITY_ID.slice(8)]) {
      assert.match(rejected(body({ entity_id: id })), /^entity_id: must be a UUID/, id);
    }
  });

  it('when event_id is empty, too long or has unsafe characters, then it is rejected', () => {
    assert.match(rejected(body({ event_id: '' })), /^event_id: must not be empty/);
    assert.match(rejected(body({ event_id: 'e'.repeat(MAX_EVENT_ID_LENGTH + 1) })), /^event_id: must be at most 128 characters/);
    for (const id of ['evt/1', 'evt 1', 'évt', "evt'1", 'evt\n1']) assert.match(rejected(body({ event_id: id })), /^event_id: may contain only/, JSON.stringify(id));
    assert.equal(parse(body({ event_id: 'e'.repeat(MAX_EVENT_ID_LENGTH) })).kind, 'event', 'the longest allowed event_id');
  });

  it('when source is blank, then it is rejected', () => {
    assert.match(rejected(body({ source: '   ' })), /^source: must be a non-empty string/);
  });

  it('when several fields are malformed, then every one is named', () => {
    const reason = rejected(body({ event_id: 'a b', source: '', entity_id: 'x' }));
    assert.match(reason, /event_id: /);
    assert.match(reason, /source: /);
    assert.match(reason, /entity_id: /);
  });

  it('when the route is built from the configuration, then it uses its actions and page size and is registered', () => {
    const config = loadConfig({ CASCADE_ENTITY_DELETED_ACTIONS: 'entity.deleted,entity.erased', CASCADE_ARCHIVE_PAGE_SIZE: '7' });
    const route = createEntityDeletedRoute(config);
    assert.equal(route.name, 'entity-deleted');
    assert.equal(route.workflowType, 'entityDeletedWorkflow');
    const outcome = route.parse(body({ action: 'entity.erased' }), { messageId: 'm-1', sentAt: new Date(0) });
    assert.equal(outcome.kind === 'event' && outcome.event.pageSize, 7);
    assert.equal(createRoutes(config)['entity-deleted'].workflowType, 'entityDeletedWorkflow');
  });
});

describe('entity-deleted event IDs', () => {
  it('when a UUIDv5 is derived, then it matches the RFC 4122 reference value', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    assert.equal(toUuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('when the same cascade, document and kind are given, then the ID is the same; otherwise it differs', () => {
    const id = toArchiveEventId('entity-deleted/evt-1', ENTITY_ID, 'audit');
    assert.equal(toArchiveEventId('entity-deleted/evt-1', ENTITY_ID, 'audit'), id);
    assert.notEqual(toArchiveEventId('entity-deleted/evt-1', ENTITY_ID, 'document'), id);
    assert.notEqual(toArchiveEventId('entity-deleted/evt-2', ENTITY_ID, 'audit'), id);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
