import type { FastifyInstance } from 'fastify';
import type { CascadeConfig } from '../config';
import type { PrismaClient } from '../db/client';
import { createEventsApi } from '../txma/events-api';

/** What routes' HTTP endpoints may use; the database only where this process has one. */
export interface HttpPluginDeps {
  readonly db: PrismaClient | undefined;
}

/** The HTTP endpoints routes add to Cascade's server: `GET /events` (audit-events). */
export function createHttpPlugins(config: CascadeConfig, deps: HttpPluginDeps): Array<(app: FastifyInstance) => void> {
  return [createEventsApi({ db: deps.db, token: config.eventsApiToken })];
}
