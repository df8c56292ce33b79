import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type ReadinessCheck, type ReadinessReport, runReadinessChecks } from '../app/readiness';
import type { CascadeMetrics } from '../metrics/metrics';
import type { TemporalSdkMetricsSource } from '../metrics/temporal-sdk-metrics';
import { untraced } from '../telemetry/untraced';

/** What the HTTP server serves. */
export interface HttpServerOptions {
  readonly metrics: CascadeMetrics;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly logger: Logger;
  /** Routes' own endpoints (e.g. `GET /events`), registered after the built-in ones. */
  readonly plugins?: ReadonlyArray<(app: FastifyInstance) => void>;
  /** The Temporal SDK's own metrics (a worker's), appended to `/metrics`; left out of one scrape when they cannot be read. */
  readonly temporalSdkMetrics?: TemporalSdkMetricsSource;
}

/**
 * Cascade's HTTP server: `/healthz` (the process is alive), `/readyz`
 * (Temporal, SQS and the database answer; 503 with the failing checks
 * otherwise; the error of each check only to loopback callers) and
 * `/metrics` (Prometheus: Cascade's `cascade_*` metrics, then a worker's
 * Temporal SDK `temporal_*` metrics).
 */
export function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'http' }), logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    // Probes come every few seconds: their database, SQS and Temporal calls are not traced.
    const report = await untraced(() => runReadinessChecks(options.readinessChecks));
    if (!report.ready) request.log.warn({ checks: report.checks }, 'not ready');
    // Error texts name hosts, queues and databases: only callers on this machine see them; others get pass/fail (details in the log).
    const checks = isLoopbackAddress(request.socket.remoteAddress) ? report.checks : toPassFail(report.checks);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'unready', checks });
  });
  app.get('/metrics', async (request, reply) => {
    const own = await options.metrics.registry.metrics();
    const sdk = options.temporalSdkMetrics ? await options.temporalSdkMetrics.read().catch((error: unknown) => request.log.warn({ err: error }, 'Temporal SDK metrics left out of this scrape')) : undefined;
    return reply.type(options.metrics.registry.contentType).send(sdk ? `${own.endsWith('\n') ? own : `${own}\n`}${sdk}` : own);
  });
  for (const plugin of options.plugins ?? []) plugin(app as unknown as FastifyInstance);
  return app;
}

/** True for a peer on this machine: 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4 === '::1' || /^127(\.\d{1,3}){3}$/.test(v4);
}

function toPassFail(checks: ReadinessReport['checks']): Record<string, { ok: boolean }> {
  return Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, { ok: check.ok }]));
}

/** The server {@link createHttpServer} returns. */
export type HttpServer = ReturnType<typeof createHttpServer>;
