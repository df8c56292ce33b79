import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createSqsClient } from '../../src/app/clients';
import { Bridge, type OutcomeRecord } from '../../src/bridge/bridge';
import { isTemporalUnavailableError, isWorkflowStartError } from '../../src/bridge/errors';
import { IntakePause } from '../../src/bridge/intake-pause';
import { type StartCascade, createWorkflowStarter } from '../../src/bridge/workflow-starter';
import { type CascadeConfig, loadConfig } from '../../src/config';
import { createMetrics } from '../../src/metrics/metrics';
import { createRoutes } from '../../src/routes/registry';
import { closedPort } from '../support/closed-port';
import { createTestQueues, eventually, queueDepth, sendToQueue } from '../support/e2e-harness';

const ISS = 'api.accounts.firefox.com';
const silent = pino({ level: 'silent' });

describe('intake pause while Temporal is unavailable', function () {
  this.timeout(120_000);
  let config: CascadeConfig;
  let hung: net.Server;
  const sockets = new Set<net.Socket>();
  let hungAddress: string;
  let deadAddress: string;
  const connections: Connection[] = [];

  before(async () => {
    config = loadConfig(process.env, ['client']);
    // A peer that accepts the TCP connection and never answers: a hung (or SIGSTOPped) Temporal.
    hung = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    hungAddress = `127.0.0.1:${(hung.address() as net.AddressInfo).port}`;
    deadAddress = `127.0.0.1:${await closedPort()}`;
  });
  after(async () => {
    for (const connection of connections) await connection.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });

  function createStarter(address: string, namespace = config.temporal.namespace, taskQueue = 'intake-pause-unused'): StartCascade {
    const connection = Connection.lazy({ address });
    connections.push(connection);
    return createWorkflowStarter({ client: new Client({ connection, namespace }), taskQueue, activityPolicy: config.activity, startTimeoutMs: 1000, probeTimeoutMs: 500 });
  }
  const accountEvents = () => createRoutes(config)['account-events'];
  const resetEvent = (generation: number) => ({ event: 'reset', uid: `u${randomUUID().replace(/-/g, '')}`, iss: ISS, generation });

  async function startError(starter: StartCascade): Promise<unknown> {
    const route = accountEvents();
    const parsed = route.parse(resetEvent(5), { messageId: 'm', sentAt: new Date() });
    assert.equal(parsed.kind, 'event');
    if (parsed.kind !== 'event') return undefined;
    try {
      await starter({ route, eventKey: parsed.eventKey, event: parsed.event, memo: { queueUrl: 'direct', sqsMessageId: 'm', receivedAt: new Date().toISOString() } });
    } catch (error) {
      return error;
    }
    assert.fail('the start should have failed');
  }

  it('when a start meets a refused connection or a peer that never answers, then it is classified as Temporal unavailable; an error answer from a live Temporal is not', async () => {
    for (const address of [deadAddress, hungAddress]) {
      const error = await startError(createStarter(address));
      assert.ok(isWorkflowStartError(error), String(error));
      assert.equal(isTemporalUnavailableError(error), true, `${address}: ${String(error)}`);
      await assert.rejects(createStarter(address).probe(), (e: unknown) => isTemporalUnavailableError(e));
    }

    const liveWrongNamespace = createStarter(config.temporal.address, `no-such-namespace-${randomUUID().slice(0, 8)}`);
    const answered = await startError(liveWrongNamespace);
    assert.ok(isWorkflowStartError(answered));
    assert.equal(isTemporalUnavailableError(answered), false, `NOT_FOUND is an answer: ${String(answered)}`);
    await liveWrongNamespace.probe();

    assert.equal(isTemporalUnavailableError(new Error('14 UNAVAILABLE: connect ECONNREFUSED')), false, 'classified by gRPC status, not by message text');
  });

  it('when intake is paused, then pollers wait, Temporal is probed with doubling delays up to the cap, and the first answer resumes intake', async () => {
    const dead = createStarter(deadAddress);
    const live = createStarter(config.temporal.address);
    let target = dead;
    const probes: Array<{ start: number; end: number }> = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const pause = new IntakePause({
      probe: async () => {
        const start = Date.now();
        try {
          await target.probe();
        } finally {
          probes.push({ start, end: Date.now() });
        }
      },
      logger: silent,
      metrics,
      probeInitialDelayMs: 100,
      probeMaxDelayMs: 400,
    });
    const controller = new AbortController();
    try {
      assert.equal(pause.paused, false);
      await pause.whenOpen(controller.signal);

      pause.pause(await startError(dead));
      let resumedAt: number | undefined;
      const waiting = pause.whenOpen(controller.signal).then(() => (resumedAt = Date.now()));
      await eventually('five probes were made', async () => probes.length >= 5, 30_000);
      assert.equal(pause.paused, true);
      assert.equal(resumedAt, undefined, 'a poller waits while Temporal does not answer');
      const gaps = probes.slice(1).map((p, i) => p.start - (probes[i]?.end ?? 0));
      const expected = [200, 400, 400, 400];
      gaps.slice(0, 4).forEach((gap, i) => assert.ok(gap >= (expected[i] ?? 0) - 20, `gap ${i}: ${gap} ms, expected about ${expected[i]} ms (all: ${gaps.join(', ')})`));
      assert.ok(Math.max(...gaps) < 400 + 1000, `capped: ${gaps.join(', ')}`);
      assert.match(await metrics.registry.getSingleMetricAsString('cascade_bridge_intake_paused'), /^cascade_bridge_intake_paused 1$/m);

      target = live;
      await waiting;
      assert.equal(pause.paused, false);
      assert.ok(resumedAt !== undefined);
      assert.match(await metrics.registry.getSingleMetricAsString('cascade_bridge_intake_paused'), /^cascade_bridge_intake_paused 0$/m);
      assert.match(await metrics.registry.getSingleMetricAsString('cascade_bridge_intake_pauses_total'), /^cascade_bridge_intake_pauses_total 1$/m);
      assert.match(await metrics.registry.getSingleMetricAsString('cascade_bridge_temporal_probes_total'), /result="answered"\} 1$/m);

      // A start that began before Temporal answered the probe is stale news: it pauses nothing.
      pause.pause(await startError(dead), (resumedAt ?? 0) - 5000);
      assert.equal(pause.paused, false);

      // A new pause right after a resume continues the back-off instead of probing at 100 ms again.
      target = dead;
      const before = probes.length;
      const pausedAgainAt = Date.now();
      pause.pause(await startError(dead));
      await eventually('it probes again', async () => probes.length > before, 10_000);
      assert.ok((probes[before]?.start ?? 0) - pausedAgainAt >= 380, `first probe after ${(probes[before]?.start ?? 0) - pausedAgainAt} ms`);

      const stillWaiting = pause.whenOpen(controller.signal);
      await pause.close();
      await stillWaiting;
      const count = probes.length;
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(probes.length, count, 'no probe after close');
    } finally {
      controller.abort();
      await pause.close();
    }
  });

  it('when a bridge meets a Temporal that refuses connections for longer than maxReceiveCount back-offs, then waiting messages keep their receive count and start exactly once when Temporal answers', async () => {
    const sqs = createSqsClient(config);
    const dead = createStarter(deadAddress);
    const taskQueue = `intake-pause-${randomUUID().slice(0, 8)}`;
    const live = createStarter(config.temporal.address, config.temporal.namespace, taskQueue);
    let target = dead;
    const startCascade: StartCascade = Object.assign((request: Parameters<StartCascade>[0]) => target(request), { probe: () => target.probe() });
    const queues = await createTestQueues(sqs, 'intake-pause', 5);
    const bridge = new Bridge({
      sqs,
      startCascade,
      queues: [{ route: accountEvents(), queueUrl: queues.queueUrl }],
      quarantineQueueUrl: queues.quarantineQueueUrl,
      logger: silent,
      metrics: createMetrics({ defaultMetrics: false }),
      waitTimeSeconds: 1,
      failureBackoffSeconds: 1,
      failureBackoffMaxSeconds: 1,
      probeInitialDelayMs: 100,
      probeMaxDelayMs: 500,
    });
    const outcomes: OutcomeRecord[] = [];
    bridge.on('outcome', (o) => outcomes.push(o));
    const events = Array.from({ length: 5 }, () => resetEvent(9));
    const workflowIds: string[] = [];
    try {
      bridge.start();
      await sendToQueue(sqs, queues.queueUrl, events.map((e) => JSON.stringify(e)));
      await eventually('the bridge paused', async () => bridge.intakePaused, 30_000);
      assert.equal(bridge.health().temporal, false);
      // The old bridge received each message every ~2 s (1 s start timeout + 1 s back-off): 6 receives, the DLQ, within ~12 s.
      await new Promise((r) => setTimeout(r, 16_000));
      assert.equal(bridge.intakePaused, true);
      assert.equal(await queueDepth(sqs, queues.deadLetterQueueUrl), 0);
      const look = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      assert.ok((look.Messages ?? []).length > 0);
      for (const m of look.Messages ?? []) assert.ok(Number(m.Attributes?.ApproximateReceiveCount) <= 2, `receive count ${m.Attributes?.ApproximateReceiveCount}`);
      assert.ok(outcomes.every((o) => o.outcome === 'failed') && outcomes.length <= events.length, JSON.stringify(outcomes.map((o) => o.outcome)));

      target = live;
      await eventually('every event started', async () => outcomes.filter((o) => o.outcome === 'started').length === events.length, 30_000);
      workflowIds.push(...outcomes.flatMap((o) => (o.outcome === 'started' && o.workflowId ? [o.workflowId] : [])));
      assert.equal(new Set(workflowIds).size, events.length, 'one workflow per event');
      for (const o of outcomes.filter((x) => x.outcome === 'started')) assert.ok(o.receiveCount <= 3, `receive count ${o.receiveCount} when started`);
      assert.equal(bridge.intakePaused, false);
      assert.equal(bridge.health().temporal, true);
      await eventually('the queue is empty', async () => (await queueDepth(sqs, queues.queueUrl)) === 0, 30_000);
      assert.equal(await queueDepth(sqs, queues.deadLetterQueueUrl), 0);
    } finally {
      await bridge.stop(1000);
      const connection = await Connection.connect({ address: config.temporal.address });
      const client = new Client({ connection, namespace: config.temporal.namespace });
      for (const id of workflowIds) await client.workflow.getHandle(id).terminate('test cleanup');
      await connection.close();
      sqs.destroy();
    }
  });
});
