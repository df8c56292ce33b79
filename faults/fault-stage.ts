import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { BenchEnv } from '../bench/bench-env';
import { type CascadeProcess, startCascadeProcess } from '../bench/cascade-process';
import { ROUTE_NAMES, type RouteName, toQueueUrlVariable } from '../src/routes/route-names';
import { loadQueueConfig } from '../src/stack';
import type { FaultSettings } from './settings';
import { terminate } from './process-control';
import { type RouteWorkload, createWorkload } from './workloads';

/** The queues of one fault, made like `cascade init` makes them from the shipped config/queues.json. */
export interface FaultQueues {
  readonly byRoute: Readonly<Record<RouteName, string>>;
  readonly deadLetterQueueUrl: string;
  readonly quarantineQueueUrl: string;
  readonly documentEventsQueueUrl: string;
}

/** Everything one fault runs on: its own queues and task queue, its Cascade processes, its workloads. */
export interface FaultStage {
  readonly env: BenchEnv;
  readonly settings: FaultSettings;
  /** Lower-case tag of this fault's users, events and queues. */
  readonly run: string;
  readonly taskQueue: string;
  readonly queues: FaultQueues;
  readonly s3: S3Client;
  /** Every Cascade process started for this fault (stopped ones included). */
  readonly processes: CascadeProcess[];
  /** Environment of this fault's Cascade processes. */
  readonly processEnv: NodeJS.ProcessEnv;
  startWorker(extra?: NodeJS.ProcessEnv): Promise<CascadeProcess>;
  startBridge(extra?: NodeJS.ProcessEnv): Promise<CascadeProcess>;
  /** `n` events of `route`, seeded. */
  workload(route: RouteName, n: number, documentsPerEntity?: number): Promise<RouteWorkload>;
  /** Sends bodies to the route's queue, ten per call; returns the SQS message IDs in order. */
  send(route: RouteName, bodies: readonly string[]): Promise<string[]>;
  /** Creates the fault's queues (again: ElasticMQ keeps no queue across a restart). */
  createQueues(): Promise<void>;
  /** Visible + in-flight + delayed messages on the route queues. */
  sourceDepth(): Promise<number>;
  /** SIGCONT + SIGTERM every process of the fault (SIGKILL after a grace period). */
  close(): Promise<void>;
}

/** A fresh stage for the fault `label`: queues and names of its own, no process yet. */
export async function createFaultStage(env: BenchEnv, settings: FaultSettings, label: string): Promise<FaultStage> {
  const run = `${label.slice(0, 24)}-${randomBytes(3).toString('hex')}`.toLowerCase();
  const shipped = loadQueueConfig();
  const queueUrl = async (name: string, attributes: Record<string, string> = {}) =>
    (await env.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(shipped.visibilityTimeoutSeconds), ...attributes } }))).QueueUrl ?? '';
  const createQueues = async (): Promise<FaultQueues> => {
    const deadLetterQueueUrl = await queueUrl(`f-dlq-${run}`);
    const arn = (await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
    const quarantineQueueUrl = await queueUrl(`f-quarantine-${run}`);
    const documentEventsQueueUrl = await queueUrl(`f-docs-${run}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
    const byRoute = {} as Record<RouteName, string>;
    for (const route of ROUTE_NAMES) {
      const entry = shipped.routes[route];
      byRoute[route] = await queueUrl(`f-${route}-${run}`, {
        VisibilityTimeout: String(entry?.visibilityTimeoutSeconds ?? shipped.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: entry?.maxReceiveCount ?? shipped.maxReceiveCount }),
      });
    }
    return { byRoute, deadLetterQueueUrl, quarantineQueueUrl, documentEventsQueueUrl };
  };
  const queues = await createQueues();
  const taskQueue = `faults-${run}`;
  const processEnv: NodeJS.ProcessEnv = {
    ...env.baseEnv,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CASCADE_ROUTES: ROUTE_NAMES.join(','),
    ...Object.fromEntries(ROUTE_NAMES.map((route) => [toQueueUrlVariable(route), queues.byRoute[route]])),
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    CASCADE_DOCUMENT_EVENTS_QUEUE_URL: queues.documentEventsQueueUrl,
  };
  const s3 = new S3Client({ region: env.config.aws.region, endpoint: env.endpoints.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
  const processes: CascadeProcess[] = [];
  const start = async (role: 'bridge' | 'worker', extra: NodeJS.ProcessEnv = {}) => {
    const process = await startCascadeProcess(role, { ...processEnv, ...extra });
    processes.push(process);
    return process;
  };
  return {
    env,
    settings,
    run,
    taskQueue,
    queues,
    s3,
    processes,
    processEnv,
    startWorker: (extra) => start('worker', extra),
    startBridge: (extra) => start('bridge', extra),
    async workload(route, n, documentsPerEntity = settings.documentsPerEntity) {
      const workload = createWorkload(env, { s3, documentEventsQueueUrl: queues.documentEventsQueueUrl }, route, `${run}-${route.slice(0, 2)}`, n, documentsPerEntity);
      await workload.seed();
      return workload;
    },
    async send(route, bodies) {
      const ids: string[] = [];
      for (let i = 0; i < bodies.length; i += 10) {
        const batch = bodies.slice(i, i + 10);
        const response = await env.sqs.send(new SendMessageBatchCommand({ QueueUrl: queues.byRoute[route], Entries: batch.map((body, j) => ({ Id: String(j), MessageBody: body })) }));
        if ((response.Failed ?? []).length > 0) throw new Error(`SQS refused ${response.Failed?.length ?? 0} message(s) for ${route}: ${JSON.stringify(response.Failed?.[0])}`);
        const byId = new Map((response.Successful ?? []).map((entry) => [entry.Id, entry.MessageId ?? '']));
        ids.push(...batch.map((_, j) => byId.get(String(j)) ?? ''));
      }
      return ids;
    },
    async createQueues() {
      await createQueues();
    },
    async sourceDepth() {
      let total = 0;
      for (const url of Object.values(queues.byRoute)) {
        const { Attributes } = await env.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
        );
        total += Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
      }
      return total;
    },
    async close() {
      await Promise.all(processes.map((p) => terminate(p)));
      s3.destroy();
    },
  };
}

/** Polls `read` (errors count as "not yet") until it reaches `target`; false after `timeoutMs`. */
export async function waitUntil(read: () => Promise<number>, target: number, timeoutMs: number, pollMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read().catch(() => -1);
    if (value >= target) return true;
    await sleep(pollMs);
  }
  return false;
}
