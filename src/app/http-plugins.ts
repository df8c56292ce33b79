import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createCodecEndpoint } from '../codec';
import type { CascadeConfig } from '../config';
import type { PrismaClient } from '../db/client';
import { createEventsApi } from '../txma/events-api';

/** What routes' HTTP endpoints may use; the database only where this process has one. */
export interface HttpPluginDeps {
  readonly db: PrismaClient | undefined;
  /** The process's payload codec (undefined without keys); `POST /codec/*` uses it. */
  readonly payloadCodec: PayloadCodec | undefined;
}

/**
 * The HTTP endpoints added to Cascade's server: `GET /events` (audit-events)
 * and `POST /codec/decode|encode` (the Web UI's remote codec).
 */
export function createHttpPlugins(config: CascadeConfig, deps: HttpPluginDeps): Array<(app: FastifyInstance) => void> {
  return [
    createEventsApi({ db: deps.db, token: config.eventsApiToken }),
    createCodecEndpoint({ codec: deps.payloadCodec, corsOrigins: config.codecEndpoint.corsOrigins, token: config.codecEndpoint.token }),
  ];
}
