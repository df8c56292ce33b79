import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Bridge } from '../bridge/bridge';
import { checkDedupHorizon } from '../bridge/dedup-horizon';
import { describeHeapShortfall, toHeapBudget } from '../bridge/heap-budget';
import { createPayloadCodec } from '../codec';
import { createWorkflowStarter } from '../bridge/workflow-starter';
import type { CascadeConfig } from '../config';
import type { PrismaClient } from '../db/client';
import { type HttpServer, createHttpServer } from '../http/http-server';
import { type CascadeMetrics, createMetrics } from '../metrics/metrics';
import { type TemporalSdkMetricsSource, createTemporalSdkMetricsSource, reserveLoopbackPort } from '../metrics/temporal-sdk-metrics';
import { createRoutes } from '../routes/registry';
import { assertTemporalConnection } from '../temporal/connection-probe';
import { createSqsClient, createTemporalClient } from './clients';
import { createHttpPlugins } from './http-plugins';
import { createScheduleSpecs, ensureSchedules } from './schedules';
import { type ReadinessCheck, createDatabaseCheck, createSqsCheck, createTemporalCheck } from './readiness';

/** Which parts one process runs. */
export interface CascadeRoles {
  readonly bridge: boolean;
  readonly worker: boolean;
  readonly http: boolean;
}

/** How a process starts beyond its roles. */
export interface CascadeProcessOptions {
  /**
   * Whether the worker creates or updates the routes' Temporal Schedules
   * (purges, outbox flushes). A short-lived process on a task queue of its
   * own (e.g. the in-process `cascade demo`) must not point them at itself.
   * @default true
   */
  readonly ensureSchedules?: boolean;
}

/** A running Cascade process. */
export interface RunningCascade {
  readonly bridge: Bridge | undefined;
  readonly worker: Worker | undefined;
  readonly http: HttpServer | undefined;
  /** `http://host:port` of the HTTP server, when it runs. */
  readonly httpUrl: string | undefined;
  readonly metrics: CascadeMetrics;
  /** Resolves when a part stopped by itself (e.g. the worker failed). */
  readonly stopped: Promise<void>;
  /** Graceful stop: bridge drains and releases, worker drains, connections close. */
  stop(): Promise<void>;
}

/**
 * Builds every client once and starts the requested parts:
 * `cascade start` runs all three, `cascade bridge`/`cascade worker` one each.
 */
export async function startCascadeProcess(config: CascadeConfig, roles: CascadeRoles, logger: Logger, options: CascadeProcessOptions = {}): Promise<RunningCascade> {
  const metrics = createMetrics();
  // One codec per process: the client, the worker and POST /codec/* encrypt and decrypt alike.
  const payloadCodec = createPayloadCodec(config);
  const checks: ReadinessCheck[] = [];
  const closers: Array<() => Promise<void>> = [];
  let bridge: Bridge | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let http: HttpServer | undefined;
  let httpUrl: string | undefined;
  let prisma: PrismaClient | undefined;
  let client: Client | undefined;
  let sqs: SQSClient | undefined;
  let nativeConnection: NativeConnection | undefined;
  let temporalSdkMetrics: TemporalSdkMetricsSource | undefined;

  try {
    if (roles.bridge || roles.worker) {
      // Wrong TLS, CA, client certificate or server name stops the process here, naming the setting.
      await assertTemporalConnection(config.temporal.connection, logger.child({ component: 'temporal' }));
      client = createTemporalClient(config, payloadCodec);
      const c = client;
      checks.push(createTemporalCheck(c));
      closers.push(() => c.connection.close());
    }
    if (roles.worker) {
      // Loaded here, not at the top: a bridge-only process never loads the worker's native core, Prisma or the S3/SNS SDKs.
      const [{ installTemporalRuntime }, { connectWorker, createCascadeWorker }, { createPrismaClient }, { createS3Client, createSnsClient }] = await Promise.all([
        import('../worker/temporal-runtime'),
        import('../worker/worker'),
        import('../db/client'),
        import('./destination-clients'),
      ]);
      // The SDK's own metrics are served on a loopback port and appended to this process's /metrics.
      const sdkMetricsAddress = installTemporalRuntime(logger, { metricsBindAddress: `127.0.0.1:${await reserveLoopbackPort()}` });
      if (sdkMetricsAddress) temporalSdkMetrics = createTemporalSdkMetricsSource(`http://${sdkMetricsAddress}/metrics`);
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the worker');
      prisma = createPrismaClient(config.databaseUrl);
      const p = prisma;
      checks.push(createDatabaseCheck(p));
      closers.push(() => p.$disconnect());
      nativeConnection = await connectWorker(config, logger.child({ component: 'worker' }));
      const nc = nativeConnection;
      closers.push(() => nc.close());
      const activitySqs = createSqsClient(config);
      const s3 = createS3Client(config);
      const sns = createSnsClient(config);
      closers.push(async () => {
        activitySqs.destroy();
        s3.destroy();
        sns.destroy();
      });
      worker = await createCascadeWorker({ config, connection: nc, deps: { db: p, sqs: activitySqs, s3, sns, config }, logger: logger.child({ component: 'worker' }), payloadCodec });
      workerRun = worker.run();
      if (client && config.statusMetrics.intervalSeconds > 0) {
        const { startStatusMetrics } = await import('../metrics/status-metrics');
        const statusMetrics = startStatusMetrics({
          registry: metrics.registry,
          sqs: activitySqs,
          client,
          namespace: config.temporal.namespace,
          routes: config.routes,
          waitingQueues: [
            ...(config.deadLetterQueueUrl ? [{ kind: 'dead-letter' as const, queueUrl: config.deadLetterQueueUrl }] : []),
            ...(config.quarantineQueueUrl ? [{ kind: 'quarantine' as const, queueUrl: config.quarantineQueueUrl }] : []),
          ],
          logger: logger.child({ component: 'status-metrics' }),
          intervalMs: config.statusMetrics.intervalSeconds * 1000,
        });
        closers.push(() => statusMetrics.stop());
      }
      if (client && options.ensureSchedules !== false) await ensureSchedules(client, config.temporal.taskQueue, createScheduleSpecs(config), logger.child({ component: 'schedules' }));
      logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running');
    }
    if (roles.bridge) {
      if (!config.quarantineQueueUrl) throw new Error('CASCADE_QUARANTINE_QUEUE_URL is required by the bridge');
      if (!client) throw new Error('unreachable: bridge without Temporal client');
      sqs = createSqsClient(config);
      const s = sqs;
      const routes = createRoutes(config);
      closers.push(async () => s.destroy());
      const queueUrls = config.routes.map((r) => r.queueUrl);
      checks.push(createSqsCheck(s, [...queueUrls, config.quarantineQueueUrl]));
      bridge = new Bridge({
        sqs: s,
        startCascade: createWorkflowStarter({ client, taskQueue: config.temporal.taskQueue, activityPolicy: config.activity }),
        queues: config.routes.map((r) => ({ route: routes[r.route], queueUrl: r.queueUrl })),
        quarantineQueueUrl: config.quarantineQueueUrl,
        logger: logger.child({ component: 'bridge' }),
        metrics,
        ...config.bridge,
      });
      void checkDedupHorizon({ client, sqs: s, namespace: config.temporal.namespace, queueUrls, logger: logger.child({ component: 'bridge' }) });
      const heap = toHeapBudget(config.bridge.maxInFlight);
      if (!heap.fits) logger.warn({ component: 'bridge', heapLimitBytes: heap.limitBytes, heapNeededBytes: heap.neededBytes }, describeHeapShortfall(heap));
      bridge.start();
    }
    if (roles.http) {
      // GET /events reads the database: a process without the worker gets its own client when it serves the endpoint.
      if (prisma === undefined && config.databaseUrl && config.eventsApiToken) {
        const { createPrismaClient } = await import('../db/client');
        prisma = createPrismaClient(config.databaseUrl);
        const p = prisma;
        closers.push(() => p.$disconnect());
      }
      http = createHttpServer({
        metrics,
        readinessChecks: checks,
        logger,
        plugins: createHttpPlugins(config, { db: prisma, payloadCodec }),
        ...(temporalSdkMetrics ? { temporalSdkMetrics } : {}),
      });
      const address = await http.listen({ host: config.http.host, port: config.http.port });
      httpUrl = address;
      logger.info({ url: address }, 'http server listening');
    }
  } catch (error) {
    await closeAll([...closers].reverse(), logger);
    throw error;
  }

  const stopped = workerRun ? workerRun.then(() => undefined) : new Promise<void>(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    bridge,
    worker,
    http,
    httpUrl,
    metrics,
    stopped,
    stop() {
      stopping ??= (async () => {
        if (bridge) await bridge.stop(config.bridge.shutdownGraceMs);
        if (worker && worker.getState() === 'RUNNING') worker.shutdown();
        if (workerRun) await workerRun.catch((error: unknown) => logger.error({ err: error }, 'worker stopped with an error'));
        if (http) await http.close();
        await closeAll([...closers].reverse(), logger);
      })();
      return stopping;
    },
  };
}

async function closeAll(closers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.warn({ err: error }, 'error while closing a client');
    }
  }
}
