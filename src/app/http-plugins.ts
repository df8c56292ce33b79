import type { FastifyInstance } from 'fastify';
import type { CascadeConfig } from '../config';
import type { PrismaClient } from '../db/client';

/** What routes' HTTP endpoints may use; the database only where this process has one. */
export interface HttpPluginDeps {
  readonly db: PrismaClient | undefined;
}

/** The HTTP endpoints routes add to Cascade's server (e.g. `GET /events`). */
export function createHttpPlugins(_config: CascadeConfig, _deps: HttpPluginDeps): Array<(app: FastifyInstance) => void> {
  return [];
}
