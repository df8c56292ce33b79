import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createWorkflowStarter } from '../../src/bridge/workflow-starter';
import { createAccountEventsRoute } from '../../src/routes/account-events';
import { toWorkflowId } from '../../src/routes/route';
import type { BenchEnv } from '../bench-env';
import { type CascadeProcess, startCascadeProcess } from '../cascade-process';
import type { Measurements } from '../measurements';
import { readServerLatency, toMeanMs } from '../temporal-metrics';
import type { BenchSettings } from '../settings';
import { toPercentile } from '../stats';
import { type BenchQueues, type RunIds, countRetired, createBenchQueues, createRunIds, preload, queueDepth, seedUsers, toDeleteBody, waitForCount, waitForRetired } from '../workload';

/** Environment of a Cascade process serving the account-events route of one run. */
export function toAccountEnv(env: BenchEnv, ids: RunIds, queues: BenchQueues, settings: BenchSettings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...env.baseEnv,
    TEMPORAL_TASK_QUEUE: ids.taskQueue,
    CASCADE_ROUTES: 'account-events',
    CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl,
    CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
    CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    CASCADE_MAX_IN_FLIGHT: String(settings.maxInFlight),
    ...extra,
  };
}

/** One run's account-events workload waiting on its own queues: N users seeded, N delete events preloaded. */
export async function prepareBacklog(env: BenchEnv, settings: BenchSettings, label: string, n: number, preloadConcurrency?: number): Promise<{ ids: RunIds; queues: BenchQueues; processEnv: NodeJS.ProcessEnv }> {
  const ids = createRunIds(label);
  await seedUsers(env.prisma, ids.run, n);
  const queues = await createBenchQueues(env.sqs, ids.run);
  await preload(env.sqs, queues.queueUrl, Array.from({ length: n }, (_, i) => toDeleteBody(ids.run, i)), preloadConcurrency);
  return { ids, queues, processEnv: toAccountEnv(env, ids, queues, settings) };
}

/** Waits for one run's workers and bridges to stop. */
async function stopAll(processes: ReadonlyArray<CascadeProcess | undefined>): Promise<void> {
  await Promise.all(processes.map((p) => (p ? p.stop() : Promise.resolve())));
}

const timeoutFor = (n: number) => 120_000 + n * 100;

/** The Temporal server's own running totals for StartWorkflowExecution. */
const readServerStartLatency = (env: BenchEnv) => readServerLatency(env.endpoints.TEMPORAL_METRICS_URL, 'StartWorkflowExecution');

/**
 * 1. Temporal ceiling: N account-event workflows started directly with the
 * client (the bridge's own start call, at its concurrency), worker in its own
 * process; the starts alone, and until all completed.
 */
export async function runTemporalCeiling(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<void> {
  const n = settings.events;
  const ids = createRunIds('ceiling');
  await seedUsers(env.prisma, ids.run, n);
  const queues = await createBenchQueues(env.sqs, ids.run);
  const worker = await startCascadeProcess('worker', toAccountEnv(env, ids, queues, settings));
  try {
    const startCascade = createWorkflowStarter({ client: env.temporal, taskQueue: ids.taskQueue, activityPolicy: env.config.activity });
    const accountEventsRoute = createAccountEventsRoute(env.config);
    const events = Array.from({ length: n }, (_, i) => {
      const parsed = accountEventsRoute.parse(JSON.parse(toDeleteBody(ids.run, i)), { messageId: `direct-${i}`, sentAt: new Date() });
      if (parsed.kind !== 'event') throw new Error(`bench event ${i} did not parse: ${JSON.stringify(parsed)}`);
      return parsed;
    });
    let next = 0;
    let started = 0;
    let startLatencyMs = 0;
    const serverBefore = await readServerStartLatency(env);
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: settings.maxInFlight }, async () => {
        while (next < events.length) {
          const event = events[next++];
          if (event === undefined) break;
          const callStart = Date.now();
          const result = await startCascade({ route: accountEventsRoute, eventKey: event.eventKey, event: event.event, memo: { queueUrl: 'direct', sqsMessageId: 'direct', receivedAt: new Date().toISOString() } });
          startLatencyMs += Date.now() - callStart;
          if (result.status === 'started') started += 1;
        }
      }),
    );
    const startsDone = Date.now();
    const serverAfter = await readServerStartLatency(env);
    const lastAt = await waitForRetired(env.prisma, ids.run, n, timeoutFor(n));
    m.add('temporal.startMs', startsDone - t0);
    m.add('temporal.meanStartMs', startLatencyMs / n);
    m.add('temporal.serverStartMs', toMeanMs(serverBefore, serverAfter));
    m.add('temporal.completeMs', lastAt - t0);
    m.check('1. every direct start was new', started === n, `${started} of ${n}`);
    m.check('1. every user retired once', (await countRetired(env.prisma, ids.run)).count === n);
  } finally {
    await stopAll([worker]);
  }
}

/**
 * 2. SQS ceiling: N messages received (the bridge's settings: one poller,
 * ten a call, long poll) and batch-deleted, nothing else.
 */
export async function runSqsCeiling(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<void> {
  const n = settings.events;
  const ids = createRunIds('sqs');
  const queues = await createBenchQueues(env.sqs, ids.run);
  await preload(env.sqs, queues.queueUrl, Array.from({ length: n }, (_, i) => toDeleteBody(ids.run, i)));
  const seen = new Set<string>();
  const t0 = Date.now();
  while (seen.size < n) {
    const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
    if (Messages.length === 0) break;
    for (const message of Messages) seen.add(message.MessageId ?? '');
    await env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queues.queueUrl, Entries: Messages.map((msg, i) => ({ Id: String(i), ReceiptHandle: msg.ReceiptHandle ?? '' })) }));
  }
  m.add('sqs.ms', Date.now() - t0);
  m.check('2. every message received once and deleted', seen.size === n && (await queueDepth(env.sqs, queues.queueUrl)) === 0, `${seen.size} of ${n}`);
}

/**
 * 3. Bridge: N messages waiting on the queue; from the bridge's start until
 * all N workflows are started (its metrics), and until all completed (rows).
 * Also measures the capacity the latency scenario runs at.
 */
export async function runBridge(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<void> {
  const n = settings.events;
  const { ids, queues, processEnv } = await prepareBacklog(env, settings, 'bridge', n);
  const worker = await startCascadeProcess('worker', processEnv);
  let bridge: CascadeProcess | undefined;
  try {
    const serverBefore = await readServerStartLatency(env);
    bridge = await startCascadeProcess('bridge', processEnv);
    const b = bridge;
    const startedAt = await waitForCount('3. workflows started by the bridge', () => b.countMessages(['started', 'duplicate']), n, timeoutFor(n), 100);
    m.add('bridge.serverStartMs', toMeanMs(serverBefore, await readServerStartLatency(env)));
    const lastAt = await waitForRetired(env.prisma, ids.run, n, timeoutFor(n));
    m.add('bridge.startedMs', startedAt - b.readyAt);
    m.add('bridge.meanStartMs', await b.meanStartMs());
    m.add('bridge.meanReceiveBatch', await b.meanReceiveBatch());
    m.add('bridge.completeMs', lastAt - b.readyAt);
    const duplicates = await b.countMessages(['duplicate']);
    m.check('3. every message started exactly one workflow', (await b.countMessages(['started'])) === n && duplicates === 0, `started ${await b.countMessages(['started'])}, duplicates ${duplicates}`);
    m.check('3. every user retired once', (await countRetired(env.prisma, ids.run)).count === n);
    await waitForCount('3. queue drained', async () => ((await queueDepth(env.sqs, queues.queueUrl)) === 0 ? 1 : 0), 1, 30_000, 200);
  } finally {
    await stopAll([bridge, worker]);
  }
}

/**
 * 4. End-to-end latency at a steady rate (a share of the capacity scenario 3
 * measured): send time carried in the message, completion time from Temporal.
 */
export async function runLatency(env: BenchEnv, settings: BenchSettings, m: Measurements, capacityPerSecond: number): Promise<void> {
  const rate = Math.max(1, capacityPerSecond * settings.latencyLoad);
  const n = Math.max(10, Math.round(rate * settings.latencySeconds));
  const ids = createRunIds('latency');
  await seedUsers(env.prisma, ids.run, n);
  const queues = await createBenchQueues(env.sqs, ids.run);
  const processEnv = toAccountEnv(env, ids, queues, settings);
  const worker = await startCascadeProcess('worker', processEnv);
  const bridge = await startCascadeProcess('bridge', processEnv);
  const sentAt = new Map<string, number>();
  // Keyed like the bridge (same base environment, so the same CASCADE_EVENT_KEY_SECRET).
  const accountEventsRoute = createAccountEventsRoute(env.config);
  try {
    const t0 = Date.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const now = Date.now();
      const body = toDeleteBody(ids.run, i, now);
      const parsed = accountEventsRoute.parse(JSON.parse(body), { messageId: '', sentAt: new Date(now) });
      if (parsed.kind === 'event') sentAt.set(toWorkflowId('account-events', parsed.eventKey), now);
      sends.push(env.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body })));
    }
    await Promise.all(sends);
    await waitForRetired(env.prisma, ids.run, n, timeoutFor(n));
    const latencies: number[] = [];
    const toStart: number[] = [];
    await waitForCount('4. closed workflows visible', async () => (await env.temporal.workflow.count(`TaskQueue = '${ids.taskQueue}' AND ExecutionStatus = 'Completed'`)).count, n, 60_000, 250);
    for await (const execution of env.temporal.workflow.list({ query: `TaskQueue = '${ids.taskQueue}'` })) {
      const sent = sentAt.get(execution.workflowId);
      if (sent !== undefined && execution.closeTime) {
        latencies.push(execution.closeTime.getTime() - sent);
        toStart.push(execution.startTime.getTime() - sent);
      }
    }
    m.check('4. every event completed once', latencies.length === n, `${latencies.length} of ${n}`);
    m.add('latency.ratePerSecond', rate);
    m.add('latency.p50Ms', toPercentile(latencies, 50));
    m.add('latency.p95Ms', toPercentile(latencies, 95));
    m.add('latency.p99Ms', toPercentile(latencies, 99));
    // Where the time goes: SQS + bridge (send → workflow started) and Temporal + worker (started → closed).
    m.add('latency.startP50Ms', toPercentile(toStart, 50));
    m.add('latency.runP50Ms', toPercentile(latencies.map((total, i) => total - (toStart[i] ?? 0)), 50));
  } finally {
    await stopAll([bridge, worker]);
  }
}

/**
 * 5. Peer: the same N events through a plain in-process consumer of the kind
 * Cascade replaces (sqs-consumer: long poll, Prisma update, delete), in its
 * own process.
 */
export async function runPeer(env: BenchEnv, settings: BenchSettings, m: Measurements, startPeer: (queueUrl: string) => Promise<{ readyAt: number; stop(): Promise<void> }>): Promise<void> {
  const n = settings.events;
  const ids = createRunIds('peer');
  await seedUsers(env.prisma, ids.run, n);
  const queues = await createBenchQueues(env.sqs, ids.run);
  await preload(env.sqs, queues.queueUrl, Array.from({ length: n }, (_, i) => toDeleteBody(ids.run, i)));
  const peer = await startPeer(queues.queueUrl);
  try {
    const lastAt = await waitForRetired(env.prisma, ids.run, n, timeoutFor(n));
    m.add('peer.completeMs', lastAt - peer.readyAt);
    m.check('5. the peer retired every user', (await countRetired(env.prisma, ids.run)).count === n);
    await waitForCount('5. queue drained', async () => ((await queueDepth(env.sqs, queues.queueUrl)) === 0 ? 1 : 0), 1, 30_000, 200);
  } finally {
    await peer.stop();
  }
}

/**
 * 8. Scale-out: two bridge and two worker processes on the same queue and
 * task queue; throughput, and every event started and run exactly once.
 */
export async function runScaleOut(env: BenchEnv, settings: BenchSettings, m: Measurements): Promise<void> {
  const n = settings.events;
  const { ids, processEnv } = await prepareBacklog(env, settings, 'scale', n);
  const workers = await Promise.all([startCascadeProcess('worker', processEnv), startCascadeProcess('worker', processEnv)]);
  const bridges: CascadeProcess[] = [];
  try {
    bridges.push(...(await Promise.all([startCascadeProcess('bridge', processEnv), startCascadeProcess('bridge', processEnv)])));
    const t0 = Math.min(...bridges.map((b) => b.readyAt));
    const lastAt = await waitForRetired(env.prisma, ids.run, n, timeoutFor(n));
    m.add('scale.completeMs', lastAt - t0);
    const started = (await Promise.all(bridges.map((b) => b.countMessages(['started'])))).reduce((a, b) => a + b, 0);
    const duplicates = (await Promise.all(bridges.map((b) => b.countMessages(['duplicate'])))).reduce((a, b) => a + b, 0);
    const perBridge = await Promise.all(bridges.map((b) => b.countMessages(['started', 'duplicate'])));
    await waitForCount('8. closed workflows visible', async () => (await env.temporal.workflow.count(`TaskQueue = '${ids.taskQueue}' AND ExecutionStatus = 'Completed'`)).count, n, 60_000, 250);
    const workflows = (await env.temporal.workflow.count(`TaskQueue = '${ids.taskQueue}'`)).count;
    m.check('8. every event started exactly one workflow across both bridges', started === n && workflows === n, `started ${started}, duplicates ${duplicates}, workflows ${workflows} of ${n}`);
    m.check('8. both bridges took a share', perBridge.every((count) => count > 0), perBridge.join(' / '));
    m.check('8. every user retired once', (await countRetired(env.prisma, ids.run)).count === n);
  } finally {
    await stopAll([...bridges, ...workers]);
  }
}
