import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from '../bench-env';
import { startCascadeProcess } from '../cascade-process';
import type { Measurements } from '../measurements';
import type { BenchSettings } from '../settings';
import { countRetired, createBenchQueues, createRunIds, seedUsers, toDeleteBody, waitForRetired } from '../workload';
import { prepareBacklog, toAccountEnv } from './account-scenarios';

const MB = 1024 * 1024;

/**
 * 7. Memory: bridge and worker peak RSS under full load with a large backlog
 * waiting (they work through it for `backlogSeconds`; a bridge holds at most
 * CASCADE_MAX_IN_FLIGHT messages whatever the backlog); then, with fresh
 * processes, RSS near the start and at the end of a steady run (a leak shows
 * as growth).
 */
export async function runMemory(env: BenchEnv, settings: BenchSettings, m: Measurements, capacityPerSecond: number): Promise<void> {
  const backlog = settings.backlog;
  const { ids, queues, processEnv } = await prepareBacklog(env, settings, 'backlog', backlog, 16);
  const worker = await startCascadeProcess('worker', processEnv);
  const bridge = await startCascadeProcess('bridge', processEnv);
  try {
    await sleep(settings.backlogSeconds * 1000);
    m.add('memory.bridgePeakMb', (await bridge.memory()).peakRssBytes / MB);
    m.add('memory.workerPeakMb', (await worker.memory()).peakRssBytes / MB);
    await bridge.stop();
    // Every workflow the bridge started (visibility, once the count stops moving) runs to completion exactly once; the rest of the backlog is dropped.
    const countStarted = async () => (await env.temporal.workflow.count(`TaskQueue = '${ids.taskQueue}'`)).count;
    let started = await countStarted();
    for (let again = await countStarted(); again !== started; again = await countStarted()) {
      started = again;
      await sleep(500);
    }
    m.add('memory.backlogProcessed', started);
    // The bridge starts faster than the worker completes: allow twice the time the measured completion rate needs.
    await waitForRetired(env.prisma, ids.run, started, Math.max(300_000, (started / capacityPerSecond) * 2000), 500);
    const retired = (await countRetired(env.prisma, ids.run)).count;
    m.check('7. every started backlog event ran once', retired === started, `${retired} users retired by ${started} workflows`);
    await env.sqs.send(new PurgeQueueCommand({ QueueUrl: queues.queueUrl }));
  } finally {
    await Promise.all([bridge.stop(), worker.stop()]);
  }

  const steady = createRunIds('steady');
  const rate = Math.max(1, capacityPerSecond * settings.latencyLoad);
  const n = Math.round(rate * settings.steadySeconds);
  await seedUsers(env.prisma, steady.run, n);
  const steadyQueues = await createBenchQueues(env.sqs, steady.run);
  const steadyEnv = toAccountEnv(env, steady, steadyQueues, settings);
  const steadyWorker = await startCascadeProcess('worker', steadyEnv);
  const steadyBridge = await startCascadeProcess('bridge', steadyEnv);
  try {
    const t0 = Date.now();
    const warmUpEnd = t0 + Math.min(30_000, (settings.steadySeconds * 1000) / 10);
    let startSample: { bridge: number; worker: number } | undefined;
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
      if (startSample === undefined && Date.now() >= warmUpEnd) {
        startSample = { bridge: (await steadyBridge.memory()).rssBytes / MB, worker: (await steadyWorker.memory()).rssBytes / MB };
      }
      sends.push(env.sqs.send(new SendMessageCommand({ QueueUrl: steadyQueues.queueUrl, MessageBody: toDeleteBody(steady.run, i) })));
    }
    await Promise.all(sends);
    await waitForRetired(env.prisma, steady.run, n, 120_000, 500);
    const end = { bridge: (await steadyBridge.memory()).rssBytes / MB, worker: (await steadyWorker.memory()).rssBytes / MB };
    const start = startSample ?? end;
    m.add('memory.steadyRate', rate);
    m.add('memory.bridgeStartMb', start.bridge);
    m.add('memory.bridgeEndMb', end.bridge);
    m.add('memory.workerStartMb', start.worker);
    m.add('memory.workerEndMb', end.worker);
    m.check('7. every steady event ran once', (await countRetired(env.prisma, steady.run)).count === n);
  } finally {
    await Promise.all([steadyBridge.stop(), steadyWorker.stop()]);
  }
}
