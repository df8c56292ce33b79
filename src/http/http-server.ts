import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type ReadinessCheck, runReadinessChecks } from '../app/readiness';
import type { CascadeMetrics } from '../metrics/metrics';

/** What the HTTP server serves. */
export interface HttpServerOptions {
  readonly metrics: CascadeMetrics;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly logger: Logger;
  /** Routes' own endpoints (e.g. `GET /events`), registered after the built-in ones. */
  readonly plugins?: ReadonlyArray<(app: FastifyInstance) => void>;
}

/**
 * Cascade's HTTP server: `/healthz` (the process is alive), `/readyz`
 * (Temporal, SQS and the database answer; 503 with the failing checks
 * otherwise) and `/metrics` (Prometheus).
 */
export function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'http' }), logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await runReadinessChecks(options.readinessChecks);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'unready', checks: report.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  for (const plugin of options.plugins ?? []) plugin(app as unknown as FastifyInstance);
  return app;
}

/** The server {@link createHttpServer} returns. */
export type HttpServer = ReturnType<typeof createHttpServer>;
