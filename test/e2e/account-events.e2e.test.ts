import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/app/clients';
import { Bridge } from '../../src/bridge/bridge';
import { QUARANTINE_ATTRIBUTES } from '../../src/bridge/quarantine';
import { createWorkflowStarter } from '../../src/bridge/workflow-starter';
import { createMetrics } from '../../src/metrics/metrics';
import { createRoutes } from '../../src/routes/registry';
import { RETIRED_GENERATION } from '../../src/shared/account-event';
import {
  type E2eContext,
  countRuns,
  createE2eContext,
  createTestQueues,
  eventually,
  peekQueue,
  queueDepth,
  sendToQueue,
  startTestCascade,
} from '../support/e2e-harness';

const ISS = 'api.accounts.firefox.com';

describe('account-events end to end (ElasticMQ → bridge → Temporal → worker → PostgreSQL)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('account');
  });
  after(async () => {
    await ctx?.close();
  });

  const uid = () => `u${randomUUID().replace(/-/g, '')}`;
  async function seedUser(name: string, generation: bigint, replacedAt: bigint | null = null) {
    await ctx.db.prisma.user.create({ data: { email: `${name}@${ISS}`, generation, clientState: 'cs', createdAt: 1n, replacedAt } });
  }
  const rows = (name: string) => ctx.db.prisma.user.findMany({ where: { email: `${name}@${ISS}` }, orderBy: { uid: 'asc' } });

  it('when a mix of events arrives, then each lands as the right rows and outcome', async () => {
    const [alice, bob, carol] = [uid(), uid(), uid()];
    await seedUser(alice, 10n, 5n);
    await seedUser(alice, 20n);
    await seedUser(bob, 5n);
    await seedUser(carol, 7n);
    const cascade = await startTestCascade(ctx);
    try {
      await cascade.send([
        JSON.stringify({ event: 'delete', uid: alice, iss: ISS, ts: 1 }),
        JSON.stringify({ event: 'reset', uid: bob, iss: ISS, generation: 100 }),
        JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify({ event: 'passwordChange', uid: `${carol}@${ISS}`, generation: 30 }) }),
        JSON.stringify({ Message: JSON.stringify({ event: 'passwordChange', uid: bob, iss: ISS, generation: 50 }) }),
      ]);
      const outcomes = await cascade.waitForOutcomes(4);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['started', 'started', 'started', 'started']);
      await Promise.all(outcomes.map((o) => ctx.temporal.workflow.getHandle(o.workflowId ?? '').result()));

      assert.deepEqual((await rows(alice)).map((r) => [r.generation, r.replacedAt === null]), [[10n, false], [RETIRED_GENERATION, false]]);
      assert.equal((await rows(alice))[0]?.replacedAt, 5n, 'history row keeps its replaced_at');
      assert.deepEqual((await rows(bob)).map((r) => r.generation), [99n], 'the late passwordChange (50) did not move the generation back');
      assert.deepEqual((await rows(carol)).map((r) => r.generation), [29n]);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the same event is sent twice, then it runs once and the second is a counted duplicate', async () => {
    const name = uid();
    await seedUser(name, 1n);
    const cascade = await startTestCascade(ctx);
    try {
      const body = JSON.stringify({ event: 'reset', uid: name, iss: ISS, generation: 500, ts: 42 });
      await cascade.send([body]);
      const [first] = await cascade.waitForOutcomes(1);
      await ctx.temporal.workflow.getHandle(first?.workflowId ?? '').result();
      await cascade.send([JSON.stringify({ ts: 42, generation: 500, iss: ISS, uid: name, event: 'reset' })]);
      const outcomes = await cascade.waitForOutcomes(2);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['started', 'duplicate']);
      assert.equal(outcomes[0]?.workflowId, outcomes[1]?.workflowId);
      assert.equal(await countRuns(ctx.temporal, first?.workflowId ?? ''), 1);
      const metrics = await cascade.app.metrics.registry.getSingleMetricAsString('cascade_messages_total');
      assert.match(metrics, /cascade_messages_total\{route="account-events",outcome="duplicate"\} 1/);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when malformed messages arrive, then they reach quarantine with their reason and source queue', async () => {
    const cascade = await startTestCascade(ctx);
    try {
      await cascade.send(['this is not json {', JSON.stringify({ event: 'reset', uid: uid(), iss: ISS }), JSON.stringify({ Message: 'not json either' })]);
      const outcomes = await cascade.waitForOutcomes(3);
      assert.deepEqual(outcomes.map((o) => o.outcome), ['rejected', 'rejected', 'rejected']);
      const quarantined = await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl);
      assert.equal(quarantined.length, 3);
      const reasons = quarantined.map((m) => m.MessageAttributes?.[QUARANTINE_ATTRIBUTES.reason]?.StringValue ?? '').sort();
      assert.match(reasons[0] ?? '', /^"Message" envelope carries a Message that is not JSON/);
      assert.match(reasons[1] ?? '', /^body is not JSON/);
      assert.match(reasons[2] ?? '', /^generation: is required for reset events/);
      for (const m of quarantined) {
        assert.equal(m.MessageAttributes?.[QUARANTINE_ATTRIBUTES.sourceQueue]?.StringValue, cascade.queues.queueUrl);
        assert.equal(m.MessageAttributes?.[QUARANTINE_ATTRIBUTES.route]?.StringValue, 'account-events');
      }
      assert.ok(quarantined.some((m) => m.Body === 'this is not json {'), 'the original body is kept');
      await eventually('the source queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when an unknown event type arrives, then it is deleted and counted as ignored', async () => {
    const cascade = await startTestCascade(ctx);
    try {
      await cascade.send([JSON.stringify({ event: 'subscription:update', uid: uid(), iss: ISS })]);
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'ignored');
      assert.match(outcome?.reason ?? '', /"subscription:update" is not handled/);
      const metrics = await cascade.app.metrics.registry.getSingleMetricAsString('cascade_messages_total');
      assert.match(metrics, /cascade_messages_total\{route="account-events",outcome="ignored"\} 1/);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, cascade.queues.queueUrl)) === 0);
      assert.equal((await peekQueue(ctx.sqs, cascade.queues.quarantineQueueUrl)).filter((m) => m.Body?.includes('subscription:update')).length, 0);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when the bridge crashes between start and delete, then the redelivered message runs once', async () => {
    const name = uid();
    await seedUser(name, 1n);
    const base = ctx.config({}, ['client']);
    const queues = await createTestQueues(ctx.sqs, 'crash');
    // A bridge whose deletes never reach SQS: it starts the workflow, then "crashes" before acknowledging.
    const crashing = createSqsClient(base);
    const lostReceipts: string[] = [];
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteMessageBatchCommand') {
          const input = args.input as { Entries?: Array<{ ReceiptHandle?: string }> };
          lostReceipts.push(...(input.Entries ?? []).map((e) => e.ReceiptHandle ?? ''));
          throw new Error('simulated crash before delete');
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashBeforeDelete' },
    );
    const metrics = createMetrics({ defaultMetrics: false });
    const client = ctx.temporal;
    const crashed = new Bridge({
      sqs: crashing,
      startCascade: createWorkflowStarter({ client, taskQueue: ctx.taskQueue, activityPolicy: base.activity }),
      queues: [{ route: createRoutes(base)['account-events'], queueUrl: queues.queueUrl }],
      quarantineQueueUrl: queues.quarantineQueueUrl,
      logger: ctx.logger,
      metrics,
      waitTimeSeconds: 1,
    });
    const crashedOutcomes: string[] = [];
    crashed.on('outcome', (o) => crashedOutcomes.push(o.outcome));
    crashed.start();
    await sendToQueue(ctx.sqs, queues.queueUrl, [JSON.stringify({ event: 'reset', uid: name, iss: ISS, generation: 77 })]);
    await eventually('the crashing bridge started the workflow and lost its delete', async () => crashedOutcomes.length === 1 && lostReceipts.length === 1);
    await crashed.stop(0);
    crashing.destroy();
    // Its aborted long poll may linger server-side for the wait time; let it end so it takes nothing.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(crashedOutcomes, ['started']);
    // Its visibility timeout runs out (shortened here): SQS redelivers the message.
    await ctx.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: lostReceipts[0], VisibilityTimeout: 0 }));

    const cascade = await startTestCascade(ctx, { queues });
    try {
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'duplicate');
      assert.ok((outcome?.receiveCount ?? 0) >= 2, 'it is a redelivery');
      await ctx.temporal.workflow.getHandle(outcome?.workflowId ?? '').result();
      assert.equal(await countRuns(ctx.temporal, outcome?.workflowId ?? ''), 1);
      assert.deepEqual((await rows(name)).map((r) => r.generation), [76n]);
      await eventually('the queue is empty', async () => (await queueDepth(ctx.sqs, queues.queueUrl)) === 0);
    } finally {
      await cascade.app.stop();
    }
  });
});
