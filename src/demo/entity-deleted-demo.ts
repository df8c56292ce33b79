import { randomBytes, randomUUID } from 'node:crypto';
import type { DemoScenario } from './demo-scenario';

/**
 * A deal with 1,200 documents (three pages at the default page size), an
 * issuer with none, and the usual re-sent, ignored and malformed events.
 */
export function createEntityDeletedDemoScenario(): DemoScenario {
  const deal = randomUUID();
  const issuer = randomUUID();
  const run = randomBytes(3).toString('hex');
  const event = (fields: Record<string, unknown>) => JSON.stringify({ event_id: `demo-${run}-${randomBytes(4).toString('hex')}`, source: 'entity-service', action: 'entity.deleted', ...fields });
  const dealDeleted = event({ entity_id: deal, entity_type: 'deal' });
  return {
    route: 'entity-deleted',
    async seed({ prisma }) {
      await prisma.$executeRaw`INSERT INTO documents (id, entity_id, entity_type, title)
        SELECT gen_random_uuid(), ${deal}::uuid, 'deal', 'Deal document ' || n FROM generate_series(1, 1200) AS n`;
    },
    async effects({ prisma }) {
      const rows = await prisma.$queryRaw<Array<{ entity_id: string; documents: bigint; archived: bigint; audit_events: bigint; audit_published: bigint; document_events: bigint; document_published: bigint }>>`
        SELECT e.entity_id,
          (SELECT count(*) FROM documents d WHERE d.entity_id = e.entity_id::uuid) AS documents,
          (SELECT count(*) FROM documents d WHERE d.entity_id = e.entity_id::uuid AND d.archived_at IS NOT NULL) AS archived,
          (SELECT count(*) FROM audit_events a WHERE a.details->>'source_entity_id' = e.entity_id) AS audit_events,
          (SELECT count(*) FROM audit_events a WHERE a.details->>'source_entity_id' = e.entity_id AND a.published_at IS NOT NULL) AS audit_published,
          (SELECT count(*) FROM document_events v WHERE v.payload->>'entity_id' = e.entity_id) AS document_events,
          (SELECT count(*) FROM document_events v WHERE v.payload->>'entity_id' = e.entity_id AND v.published_at IS NOT NULL) AS document_published
        FROM (VALUES (${deal}), (${issuer})) AS e(entity_id)`;
      return {
        title: 'Entities after the cascades',
        header: ['entity', 'documents', 'archived', 'audit events (published)', 'document events (published)'],
        rows: rows.map((r) => [r.entity_id, String(r.documents), String(r.archived), `${r.audit_events} (${r.audit_published})`, `${r.document_events} (${r.document_published})`]),
      };
    },
    messages: [
      { label: 'deal deleted (1,200 documents)', body: dealDeleted },
      { label: 'deal deleted again (re-sent)', body: dealDeleted },
      { label: 'issuer deleted (no documents)', body: event({ entity_id: issuer, entity_type: 'issuer' }) },
      { label: 'entity.updated (not handled)', body: event({ action: 'entity.updated', entity_id: deal, entity_type: 'deal' }) },
      { label: 'unknown entity type', body: event({ entity_id: randomUUID(), entity_type: 'widget' }) },
      { label: 'entity_id not a UUID', body: event({ entity_id: 'deal-42', entity_type: 'deal' }) },
      { label: 'no event_id', body: JSON.stringify({ source: 'entity-service', action: 'entity.deleted', entity_id: randomUUID(), entity_type: 'deal' }) },
    ],
  };
}
