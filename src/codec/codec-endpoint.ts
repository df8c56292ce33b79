import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBearerTokenCheck } from '../http/bearer-token';
import { isPayloadCodecError } from './codec-errors';
import { type JsonPayloads, fromJsonPayload, jsonPayloadsSchema, toJsonPayload } from './json-payload';
import { toIssueList } from '../shared/parse-helpers';

/** Path prefix of the codec endpoint; the Web UI appends `/decode` and `/encode`. */
export const CODEC_ENDPOINT_PREFIX = '/codec';

/** Request headers a browser may send to the codec endpoint (the Web UI sends the first two). */
export const CODEC_ALLOWED_HEADERS: readonly string[] = ['content-type', 'x-namespace', 'authorization'];

/** What {@link createCodecEndpoint} needs. */
export interface CodecEndpointOptions {
  /** The process's payload codec; undefined (no keys configured) answers with the payloads unchanged. */
  readonly codec: PayloadCodec | undefined;
  /** Origins allowed to call the endpoint from a browser (`CASCADE_CODEC_CORS_ORIGINS`). */
  readonly corsOrigins: readonly string[];
  /** `CASCADE_CODEC_TOKEN`; when set, requests need `Authorization: Bearer <token>` (401 otherwise). */
  readonly token: string | undefined;
  /** Largest request body; larger gets 413 before it is parsed. @default {@link CODEC_BODY_LIMIT_BYTES} */
  readonly bodyLimitBytes?: number;
  /** Most payloads in one request; more gets 400 before any is decoded. @default {@link CODEC_MAX_PAYLOADS} */
  readonly maxPayloads?: number;
  /** How long browsers may cache a preflight answer. @default 600 */
  readonly preflightMaxAgeSeconds?: number;
}

/** Largest request body: Temporal's 2 MiB payload limit, base64 encoded, with room to spare (the Web UI sends one event's payloads). */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** Most payloads in one request (the Web UI sends those of one event or one page). */
export const CODEC_MAX_PAYLOADS = 1000;

type Direction = 'decode' | 'encode';

/**
 * The remote codec endpoint of the Temporal Web UI and CLI:
 * `POST /codec/decode` and `POST /codec/encode` take and return
 * `{"payloads":[{"metadata":{"<key>":"<base64>"},"data":"<base64>"}]}`.
 * CORS (preflight included) is answered for the configured origins only.
 * With a token, a request without it gets 401 from an `onRequest` hook,
 * before its body is read. A body over the limit gets 413, more payloads than
 * the cap 400, a malformed body 400 naming the problem (never quoting it), a
 * payload that does not decrypt 422 with the reason (never the configured key IDs).
 */
export function createCodecEndpoint(options: CodecEndpointOptions): (app: FastifyInstance) => void {
  const checkToken = options.token === undefined ? undefined : createBearerTokenCheck(options.token);
  const bodyLimit = options.bodyLimitBytes ?? CODEC_BODY_LIMIT_BYTES;
  const maxPayloads = options.maxPayloads ?? CODEC_MAX_PAYLOADS;

  /** Runs before the body is read: an unauthenticated request costs no parsing. Preflights carry no token. */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    if (checkToken === undefined || request.method === 'OPTIONS') return;
    const verdict = checkToken(request.headers.authorization);
    if (verdict !== 'valid') {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="cascade-codec"')
        .send({ error: 'Unauthorized', message: verdict === 'missing' ? 'send Authorization: Bearer <CASCADE_CODEC_TOKEN>' : 'the bearer token is not valid' });
    }
  };

  const handle = (direction: Direction) => async (request: FastifyRequest, reply: FastifyReply) => {
    const count = toPayloadCount(request.body);
    if (count > maxPayloads) {
      return reply.code(400).send({ error: 'Bad Request', message: `payloads: ${count} in one request, at most ${maxPayloads} allowed; send them in several requests` });
    }
    const parsed = jsonPayloadsSchema.safeParse(request.body);
    if (!parsed.success) {
      const message = toIssueList(parsed.error);
      return reply.code(400).send({ error: 'Bad Request', message });
    }
    const payloads = parsed.data.payloads.map(fromJsonPayload);
    let result: Payload[];
    try {
      result = options.codec === undefined ? payloads : await options.codec[direction](payloads);
    } catch (error) {
      if (!isPayloadCodecError(error)) throw error;
      request.log.warn({ err: error, keyId: error.keyId, namespace: request.headers['x-namespace'] }, `codec endpoint cannot ${direction} a payload`);
      return reply.code(422).send({ error: 'Unprocessable Entity', message: `${error.name}: ${error.message}` });
    }
    const body: JsonPayloads = { payloads: result.map(toJsonPayload) };
    return reply.send(body);
  };

  return (app) => {
    void app.register(
      async (scope) => {
        await scope.register(cors, {
          origin: [...options.corsOrigins],
          methods: ['POST'],
          allowedHeaders: [...CODEC_ALLOWED_HEADERS],
          credentials: true,
          maxAge: options.preflightMaxAgeSeconds ?? 600,
        });
        scope.addHook('onRequest', authenticate);
        scope.setErrorHandler(async (error: FastifyError, request, reply) => {
          if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
            return reply.code(413).send({ error: 'Payload Too Large', message: `the body is over ${bodyLimit} bytes; send at most ${maxPayloads} payloads and ${bodyLimit} bytes per request` });
          }
          if (error.statusCode === 400 && (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')) {
            // JSON.parse quotes the body in its message: answer with the problem only.
            return reply.code(400).send({ error: 'Bad Request', message: 'the body is not valid JSON: send {"payloads":[…]}' });
          }
          if (error.statusCode !== undefined && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'Bad Request', message: error.message });
          request.log.error({ err: error }, 'codec endpoint failed');
          return reply.code(500).send({ error: 'Internal Server Error', message: 'the codec endpoint failed; see the server log' });
        });
        scope.post('/decode', { bodyLimit }, handle('decode'));
        scope.post('/encode', { bodyLimit }, handle('encode'));
      },
      { prefix: CODEC_ENDPOINT_PREFIX },
    );
  };
}

/** How many payloads a body holds, counted before it is validated (0 when it is not `{"payloads":[…]}`). */
function toPayloadCount(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('payloads' in body)) return 0;
  return Array.isArray(body.payloads) ? body.payloads.length : 0;
}
