import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { RouteName } from '../src/routes/route-names';
import type { BenchEnv } from '../bench/bench-env';

/** Effects of a workload as the real state shows them now. */
export interface EffectCount {
  /** Expected effects present (each counted once). */
  readonly observed: number;
  /** Effects applied more than once (extra S3 objects, rows or messages for one event). */
  readonly duplicated: number;
}

/** Events of one route, what they should produce, and how to read back what they did. */
export interface RouteWorkload {
  readonly route: RouteName;
  /** One message body per event. */
  readonly bodies: readonly string[];
  /** Effects the events should produce, in total. */
  readonly expectedEffects: number;
  /** Puts what the events act on into the database (users, documents). */
  seed(): Promise<void>;
  /** Reads the effects from PostgreSQL, S3 and SQS; throws while one of them is down. */
  count(): Promise<EffectCount>;
}

/** Where a workload's effects land besides the database. */
export interface WorkloadTargets {
  readonly s3: S3Client;
  /** The fault's own document-events queue (entity-deleted). */
  readonly documentEventsQueueUrl: string;
}

const ISSUER = 'faults.example.com';

/** `n` events of `route` for the run `run` (lower-case letters, digits and hyphens). */
export function createWorkload(env: BenchEnv, targets: WorkloadTargets, route: RouteName, run: string, n: number, documentsPerEntity: number): RouteWorkload {
  const indexes = Array.from({ length: n }, (_, i) => i);
  switch (route) {
    case 'account-events':
      return {
        route,
        bodies: indexes.map((i) => JSON.stringify({ event: 'delete', uid: `${run}-${i}`, iss: ISSUER, ts: Date.now() / 1000 })),
        expectedEffects: n,
        async seed() {
          await env.prisma.$executeRaw`INSERT INTO users (email, generation, client_state, created_at)
            SELECT ${run} || '-' || i || '@' || ${ISSUER}, 1, '', 0 FROM generate_series(0, ${n - 1}::int) AS i`;
        },
        async count() {
          const [row] = await env.prisma.$queryRaw<Array<{ retired: bigint }>>`
            SELECT count(*) AS retired FROM users WHERE email LIKE ${`${run}-%`} AND replaced_at IS NOT NULL`;
          return { observed: Math.min(n, Number(row?.retired ?? 0)), duplicated: 0 };
        },
      };
    case 'entity-deleted': {
      const entities = indexes.map(() => randomUUID());
      const perEntity = documentsPerEntity;
      return {
        route,
        bodies: entities.map((entityId, i) => JSON.stringify({ event_id: `${run}-${i}`, source: 'faults', action: 'entity.deleted', entity_id: entityId, entity_type: 'deal' })),
        // Per document: archived, its audit event published, its document event published, and that event on the queue.
        expectedEffects: n * perEntity * 4,
        async seed() {
          await env.prisma.$executeRaw`INSERT INTO documents (id, entity_id, entity_type, title)
            SELECT gen_random_uuid(), e::uuid, 'deal', 'Document ' || d FROM unnest(${entities}::text[]) AS e, generate_series(1, ${perEntity}::int) AS d`;
        },
        async count() {
          const [row] = await env.prisma.$queryRaw<Array<{ archived: bigint; audits: bigint; audit_extra: bigint; documents: bigint; document_extra: bigint }>>`
            SELECT
              (SELECT count(*) FROM documents WHERE entity_id = ANY(${entities}::uuid[]) AND archived_at IS NOT NULL) AS archived,
              (SELECT count(DISTINCT entity_id) FILTER (WHERE published_at IS NOT NULL) FROM audit_events WHERE details->>'source_entity_id' = ANY(${entities}::text[])) AS audits,
              (SELECT count(*) - count(DISTINCT entity_id) FROM audit_events WHERE details->>'source_entity_id' = ANY(${entities}::text[])) AS audit_extra,
              (SELECT count(DISTINCT payload->>'document_id') FILTER (WHERE published_at IS NOT NULL) FROM document_events WHERE payload->>'entity_id' = ANY(${entities}::text[])) AS documents,
              (SELECT count(*) - count(DISTINCT payload->>'document_id') FROM document_events WHERE payload->>'entity_id' = ANY(${entities}::text[])) AS document_extra`;
          const { Attributes } = await env.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: targets.documentEventsQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
          );
          const onQueue = Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
          const total = n * perEntity;
          const observed = [Number(row?.archived ?? 0), Number(row?.audits ?? 0), Number(row?.documents ?? 0), onQueue].reduce((sum, c) => sum + Math.min(total, c), 0);
          return { observed, duplicated: Number(row?.audit_extra ?? 0) + Number(row?.document_extra ?? 0) + Math.max(0, onQueue - total) };
        },
      };
    }
    case 'email-archive': {
      const bucket = env.config.emailArchive.bucket ?? '';
      // Keys ever seen: moto keeps objects in memory, so an outage of it would otherwise erase effects that happened.
      const seen = new Set<string>();
      return {
        route,
        bodies: indexes.map((i) =>
          JSON.stringify({ email_subject: `Fault ${i}`, email_sender: `${run}-${i}@${ISSUER}`, email_timestream: new Date().toISOString(), email_content: `Fault suite message ${i}.` }),
        ),
        expectedEffects: n,
        async seed() {},
        async count() {
          let token: string | undefined;
          do {
            const page = await targets.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
            for (const object of page.Contents ?? []) if (object.Key?.includes(`/${run}-`)) seen.add(object.Key);
            token = page.NextContinuationToken;
          } while (token);
          const perEvent = new Map<string, number>();
          for (const key of seen) {
            const local = key.split('/').find((part) => part.startsWith(`${run}-`)) ?? '';
            perEvent.set(local, (perEvent.get(local) ?? 0) + 1);
          }
          return { observed: perEvent.size, duplicated: [...perEvent.values()].reduce((sum, c) => sum + c - 1, 0) };
        },
      };
    }
    case 'audit-events': {
      const sessions = indexes.map(() => randomUUID());
      const pks = sessions.map((s) => `SESSION#${s}`);
      return {
        route,
        bodies: sessions.map((session, i) =>
          JSON.stringify({ event_id: `${run}-${i}`, event_name: 'AUTH_LOG_IN_SUCCESS', timestamp: Math.floor(Date.now() / 1000), component_id: 'auth', user: { session_id: session } }),
        ),
        expectedEffects: n,
        async seed() {},
        async count() {
          const [row] = await env.prisma.$queryRaw<Array<{ sessions: bigint; rows: bigint }>>`
            SELECT count(DISTINCT pk) AS sessions, count(*) AS rows FROM txma_events WHERE pk = ANY(${pks}::text[])`;
          const sessionsSeen = Number(row?.sessions ?? 0);
          return { observed: sessionsSeen, duplicated: Number(row?.rows ?? 0) - sessionsSeen };
        },
      };
    }
    case 'tasks':
      return {
        route,
        bodies: indexes.map((i) => JSON.stringify({ action: 'event', data: [{ userIds: [`${run}-${i}`], eventName: 'fault.suite', eventMeta: { i } }] })),
        expectedEffects: n,
        async seed() {},
        async count() {
          const [row] = await env.prisma.$queryRaw<Array<{ users: bigint; rows: bigint }>>`
            SELECT count(DISTINCT user_id) AS users, count(*) AS rows FROM incentive_events WHERE user_id LIKE ${`${run}-%`}`;
          const users = Number(row?.users ?? 0);
          return { observed: users, duplicated: Number(row?.rows ?? 0) - users };
        },
      };
  }
}
