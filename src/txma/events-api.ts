import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../db/client';
import { createBearerTokenCheck } from '../http/bearer-token';
import { toIssueList } from '../shared/parse-helpers';

/** Most items one `GET /events` page returns. */
export const MAX_EVENTS_PAGE = 100;
/** Items per page when `limit` is not given. */
export const DEFAULT_EVENTS_PAGE = 25;

/** What `GET /events` needs. */
export interface EventsApiOptions {
  /** The `txma_events` table; undefined where this process has no database (the endpoint answers 503). */
  readonly db: Pick<PrismaClient, '$queryRaw'> | undefined;
  /** `CASCADE_EVENTS_API_TOKEN`; undefined disables the endpoint (503), it is never open without a token. */
  readonly token: string | undefined;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** One item of a `GET /events` page. */
export interface EventsApiItem {
  readonly pk: string;
  readonly sk: string;
  readonly event: unknown;
  readonly expiresAt: string;
}

/** A `GET /events` page; `nextCursor` is null on the last page. */
export interface EventsApiPage {
  readonly items: EventsApiItem[];
  readonly nextCursor: string | null;
}

const querySchema = z.object({
  pk: z.string({ message: 'is required (e.g. SESSION#<session_id>)' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  skPrefix: z.string({ message: 'must be a string' }).max(512, 'must be at most 512 characters').default(''),
  limit: z.coerce
    .number({ message: `must be an integer from 1 to ${MAX_EVENTS_PAGE}` })
    .int(`must be an integer from 1 to ${MAX_EVENTS_PAGE}`)
    .min(1, `must be an integer from 1 to ${MAX_EVENTS_PAGE}`)
    .max(MAX_EVENTS_PAGE, `must be an integer from 1 to ${MAX_EVENTS_PAGE}`)
    .default(DEFAULT_EVENTS_PAGE),
  cursor: z.string({ message: 'must be a string' }).min(1, 'must not be empty').optional(),
});

/** The cursor of the page after the item with sort key `sk` (opaque to clients). */
export function toEventsCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function fromEventsCursor(cursor: string): string | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const sk = (decoded as { sk?: unknown } | null)?.sk;
    return typeof sk === 'string' ? sk : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET /events?pk=…&skPrefix=…&limit=…&cursor=…`: the unexpired TxMA events
 * of one partition whose sort key starts with the prefix, in sort-key order,
 * a page at a time. Needs `Authorization: Bearer <CASCADE_EVENTS_API_TOKEN>`
 * (401 otherwise); bad parameters get a 400 naming the parameter.
 */
export function createEventsApi(options: EventsApiOptions): (app: FastifyInstance) => void {
  const now = options.now ?? (() => new Date());
  const checkToken = options.token === undefined ? undefined : createBearerTokenCheck(options.token);
  return (app) => {
    app.get('/events', async (request: FastifyRequest, reply: FastifyReply) => {
      if (checkToken === undefined) {
        return reply.code(503).send({ error: 'Service Unavailable', message: 'GET /events is disabled: set CASCADE_EVENTS_API_TOKEN to enable it' });
      }
      const verdict = checkToken(request.headers.authorization);
      if (verdict !== 'valid') {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="cascade-events"')
          .send({ error: 'Unauthorized', message: verdict === 'missing' ? 'send Authorization: Bearer <token>' : 'the bearer token is not valid' });
      }
      const parsed = querySchema.safeParse(request.query);
      if (!parsed.success) {
        return reply.code(400).send({ error: 'Bad Request', message: toIssueList(parsed.error, 'query') });
      }
      const { pk, skPrefix, limit, cursor } = parsed.data;
      const after = cursor === undefined ? undefined : fromEventsCursor(cursor);
      if (cursor !== undefined && after === undefined) {
        return reply.code(400).send({ error: 'Bad Request', message: 'cursor: is not a cursor this API returned (use nextCursor of the previous page)' });
      }
      if (options.db === undefined) {
        return reply.code(503).send({ error: 'Service Unavailable', message: 'this process has no database: set DATABASE_URL' });
      }
      // starts_with, not LIKE: sort keys are full of `_`, which LIKE would read as a wildcard.
      const rows = await options.db.$queryRaw<Array<{ pk: string; sk: string; event: unknown; expires_at: Date }>>`
        SELECT pk, sk, event, expires_at FROM txma_events
        WHERE pk = ${pk} AND starts_with(sk, ${skPrefix}) AND (${after ?? null}::text IS NULL OR sk > ${after ?? null}::text) AND expires_at > ${now()}
        ORDER BY sk
        LIMIT ${limit + 1}`;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const body: EventsApiPage = {
        items: page.map((row) => ({ pk: row.pk, sk: row.sk, event: row.event, expiresAt: row.expires_at.toISOString() })),
        nextCursor: rows.length > limit && last !== undefined ? toEventsCursor(last.sk) : null,
      };
      return reply.send(body);
    });
  };
}
