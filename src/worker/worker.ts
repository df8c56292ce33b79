import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { sleep } from '../sleep';
import { createPayloadCodec, toDataConverter } from '../codec';
import type { CascadeConfig } from '../config';
import { getActiveTracing } from '../telemetry/tracing-state';
import { WORKFLOW_TRACING_INTERCEPTORS_MODULE, toActivityTracingInterceptors, toWorkflowSpanSinks } from '../telemetry/workflow-tracing';
import { describeTemporalConnection, toTemporalConnectionOptions } from '../temporal/connection-options';
import { resolveWorkflowsPath } from './workflow-source';

/** What {@link createCascadeWorker} needs; clients are built once by the caller. */
export interface CascadeWorkerOptions {
  readonly config: CascadeConfig;
  readonly connection: NativeConnection;
  readonly deps: ActivityDeps;
  readonly logger: Logger;
  /** Overrides `config.temporal.taskQueue` (tests use one per test). */
  readonly taskQueue?: string;
  /**
   * Encodes and decodes every payload (encryption); pass the codec the
   * process's Temporal client uses, so both are built once.
   * @default createPayloadCodec(config)
   */
  readonly payloadCodec?: PayloadCodec;
}

/**
 * A worker for every route's workflows and activities. Uses the prebuilt
 * bundle when `CASCADE_WORKFLOW_BUNDLE` is set (production), else bundles the
 * workflows at start-up.
 */
export async function createCascadeWorker(options: CascadeWorkerOptions): Promise<Worker> {
  const { config } = options;
  const workflowSource = config.workflowBundlePath
    ? { workflowBundle: { codePath: config.workflowBundlePath } }
    : { workflowsPath: resolveWorkflowsPath() };
  const dataConverter = toDataConverter(options.payloadCodec ?? createPayloadCodec(config));
  const tracing = getActiveTracing();
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    activities: createActivities(options.deps),
    shutdownGraceTime: config.bridge.shutdownGraceMs,
    // The prebuilt bundle has the workflow interceptors built in (workflow-source.ts); one bundled now gets them here.
    interceptors: { activity: toActivityTracingInterceptors(tracing), ...(config.workflowBundlePath ? {} : { workflowModules: [WORKFLOW_TRACING_INTERCEPTORS_MODULE] }) },
    sinks: toWorkflowSpanSinks(tracing),
    ...(dataConverter ? { dataConverter } : {}),
    ...workflowSource,
  });
}

/**
 * Connects to Temporal for a worker, retrying with back-off while it is
 * unreachable (a worker started before Temporal waits instead of crashing).
 */
export async function connectWorker(config: CascadeConfig, logger: Logger, signal?: AbortSignal): Promise<NativeConnection> {
  let delayMs = 500;
  for (;;) {
    try {
      return await NativeConnection.connect(toTemporalConnectionOptions(config.temporal.connection));
    } catch (error) {
      if (signal?.aborted) throw error;
      logger.warn({ err: error, temporal: describeTemporalConnection(config.temporal.connection), retryInMs: delayMs }, 'Temporal unreachable; worker retrying');
      await sleep(delayMs, signal);
      delayMs = Math.min(delayMs * 2, 15_000);
    }
  }
}
