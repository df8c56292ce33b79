import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { createSqsClient } from '../src/app/clients';
import { type CascadeConfig, loadConfig } from '../src/config';
import { type PrismaClient, createPrismaClient } from '../src/db/client';
import { migrateDatabase } from '../src/db/migrate';
import { type StackEndpoints, type StackOptions, type TemporalVariant, findFreeStackPorts, resolveCacheDir, startStack, stopStack } from '../src/stack';
import { defaultWorkflowBundlePath } from '../src/worker/workflow-source';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** The stack and clients every scenario shares. */
export interface BenchEnv {
  /** Which Temporal the stack runs: the CLI dev server or the Temporal server on PostgreSQL. */
  readonly temporalVariant: TemporalVariant;
  readonly endpoints: StackEndpoints;
  /** What the stack was started with, for `stopService` / `startService` (the fault suite's outages). */
  readonly stackOptions: StackOptions;
  /** The environment of a Cascade process on this stack (add queues, task queue, ports). */
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly config: CascadeConfig;
  readonly prisma: PrismaClient;
  readonly sqs: SQSClient;
  readonly temporal: Client;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Brings up the same local stack as `cascade dev` and the tests (free ports,
 * a state dir of its own, tools from the cache) with the given Temporal, and
 * migrates its database. `extra.postgresStatements` loads `pg_stat_statements` (`--profile`).
 */
export async function createBenchEnv(logger: Logger, temporalVariant: TemporalVariant = 'dev', extra: Pick<StackOptions, 'postgresStatements'> = {}): Promise<BenchEnv> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-bench-'));
  const options: StackOptions = {
    stateDir,
    cacheDir: resolveCacheDir(),
    ports: await findFreeStackPorts(),
    temporal: temporalVariant,
    ...extra,
    logger,
    onProgress: ({ service, step }) => {
      if (step !== 'starting' && step !== 'ready') process.stderr.write(`[bench stack] ${service}: ${step}\n`);
    },
  };
  let endpoints: StackEndpoints;
  try {
    endpoints = await startStack(options);
  } catch (error) {
    await stopStack(options).catch(() => undefined);
    throw error;
  }
  Object.assign(process.env, endpoints);
  try {
    await migrateDatabase({ databaseUrl: endpoints.DATABASE_URL, logger });
  } catch (error) {
    await stopStack(options).catch(() => undefined);
    throw error;
  }
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...endpoints,
    CASCADE_WORKFLOW_BUNDLE: defaultWorkflowBundlePath(),
    CASCADE_HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.CASCADE_BENCH_LOG_LEVEL ?? 'warn',
    // The status gauges describe running cascades and peek at the waiting queues: load and receives that no measured workload should carry.
    CASCADE_STATUS_METRICS_INTERVAL_SECONDS: '0',
  };
  const config = loadConfig(baseEnv, ['client']);
  const prisma = createPrismaClient(endpoints.DATABASE_URL);
  const sqs = createSqsClient(config);
  const connection = await Connection.connect({ address: endpoints.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: endpoints.TEMPORAL_NAMESPACE });
  return {
    temporalVariant,
    endpoints,
    stackOptions: options,
    baseEnv,
    config,
    prisma,
    sqs,
    temporal,
    logger,
    async close() {
      sqs.destroy();
      await prisma.$disconnect();
      await connection.close();
      await stopStack(options);
      if (process.env.CASCADE_KEEP_BENCH_STACK === '1') process.stderr.write(`[bench stack] kept in ${stateDir}\n`);
      else await rm(stateDir, { recursive: true, force: true });
    },
  };
}
