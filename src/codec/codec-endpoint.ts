import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBearerTokenCheck } from '../http/bearer-token';
import { isPayloadCodecError } from './codec-errors';
import { type JsonPayloads, fromJsonPayload, jsonPayloadsSchema, toJsonPayload } from './json-payload';

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
  /** Largest request body. @default 8 MiB (Temporal's payload limit is 2 MiB each) */
  readonly bodyLimitBytes?: number;
  /** How long browsers may cache a preflight answer. @default 600 */
  readonly preflightMaxAgeSeconds?: number;
}

type Direction = 'decode' | 'encode';

/**
 * The remote codec endpoint of the Temporal Web UI and CLI:
 * `POST /codec/decode` and `POST /codec/encode` take and return
 * `{"payloads":[{"metadata":{"<key>":"<base64>"},"data":"<base64>"}]}`.
 * CORS (preflight included) is answered for the configured origins only;
 * with a token, other requests get 401; a malformed body gets 400 naming the
 * problem, a payload that does not decrypt 422 with the reason.
 */
export function createCodecEndpoint(options: CodecEndpointOptions): (app: FastifyInstance) => void {
  const checkToken = options.token === undefined ? undefined : createBearerTokenCheck(options.token);
  const bodyLimit = options.bodyLimitBytes ?? 8 * 1024 * 1024;

  const handle = (direction: Direction) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (checkToken !== undefined) {
      const verdict = checkToken(request.headers.authorization);
      if (verdict !== 'valid') {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="cascade-codec"')
          .send({ error: 'Unauthorized', message: verdict === 'missing' ? 'send Authorization: Bearer <CASCADE_CODEC_TOKEN>' : 'the bearer token is not valid' });
      }
    }
    const parsed = jsonPayloadsSchema.safeParse(request.body);
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
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
        scope.post('/decode', { bodyLimit }, handle('decode'));
        scope.post('/encode', { bodyLimit }, handle('encode'));
      },
      { prefix: CODEC_ENDPOINT_PREFIX },
    );
  };
}
