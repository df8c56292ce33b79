import { Client as PgClient } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultDefinition, readProgress, sendAll, toPercent, toRowSource, waitFor } from './fault-definition';
import { startStackService, stopStackService, withOutage } from './process-control';
import type { RouteWorkload } from './workloads';

const minutes = (ms: number) => (ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

/** Half the events before, half during an outage of the Temporal server (shipped queue config: maxReceiveCount 5). */
export const temporalDown: FaultDefinition = {
  name: 'temporal-down',
  description: 'Temporal server stopped, events arriving before and during the outage',
  async run(stage, register) {
    const n = stage.settings.eventsPerRoute;
    const workloads = [await stage.workload('account-events', n), await stage.workload('tasks', n), await stage.workload('entity-deleted', 2, 200)];
    register([toRowSource('temporal-down', `Temporal down ${minutes(stage.settings.temporalDownMs)}`, workloads)]);
    await stage.startWorker();
    await stage.startBridge();
    const half = (w: RouteWorkload) => Math.ceil(w.bodies.length / 2);
    for (const w of workloads) await stage.send(w.route, w.bodies.slice(0, half(w)));
    const endedAt = await withOutage(stage.env, 'temporal', stage.settings.temporalDownMs, async () => {
      for (const w of workloads) await stage.send(w.route, w.bodies.slice(half(w)));
    });
    return { sources: [], endedAt };
  },
};

/** PostgreSQL stopped while a big entity-deleted cascade archives its documents. */
export const postgresDown: FaultDefinition = {
  name: 'postgres-down',
  description: 'PostgreSQL stopped during a big entity-deleted cascade',
  async run(stage, register) {
    const big = await stage.workload('entity-deleted', 1, stage.settings.bigDocuments);
    const notes: string[] = [];
    register([toRowSource('postgres-down', `PostgreSQL down ${minutes(stage.settings.postgresDownMs)} during a ${stage.settings.bigDocuments.toLocaleString('en-US')}-document entity-deleted cascade`, [big], notes)]);
    await stage.startWorker();
    await stage.startBridge();
    await sendAll(stage, [big]);
    await waitFor(async () => (await readProgress([big])) > 0.02, 300_000, 250);
    notes.push(`stopped at ${toPercent(await readProgress([big]))} of effects`);
    const endedAt = await withOutage(stage.env, 'postgres', stage.settings.postgresDownMs);
    return { sources: [], endedAt };
  },
};

/** moto (S3 and SNS) stopped while emails are archived and an entity's audit events are published. */
export const s3SnsDown: FaultDefinition = {
  name: 's3-sns-down',
  description: 'S3 and SNS (moto) stopped while email-archive and entity-deleted events run',
  async run(stage, register) {
    const workloads = [await stage.workload('email-archive', stage.settings.eventsPerRoute), await stage.workload('entity-deleted', 2, 500)];
    register([
      toRowSource('s3-sns-down', `S3 and SNS (moto) down ${minutes(stage.settings.motoDownMs)}`, workloads, [
        'moto keeps objects in memory: S3 objects written before the outage are counted from what was seen before it',
      ]),
    ]);
    await stage.startWorker();
    await stage.startBridge();
    const endedAt = await withOutage(stage.env, 'moto', stage.settings.motoDownMs, () => sendAll(stage, workloads));
    return { sources: [], endedAt };
  },
};

/** ElasticMQ stopped under the bridge (and the quarantine queue), then started again. */
export const sqsDown: FaultDefinition = {
  name: 'sqs-down',
  description: 'SQS (ElasticMQ) stopped under a running bridge',
  async run(stage, register) {
    const n = stage.settings.eventsPerRoute;
    const workloads = [await stage.workload('account-events', n), await stage.workload('tasks', n), await stage.workload('audit-events', n)];
    const notes = ['ElasticMQ keeps no queue or message across a restart: half the events are sent and done before the outage, half after it'];
    register([toRowSource('sqs-down', `SQS (ElasticMQ) down ${minutes(stage.settings.sqsDownMs)}`, workloads, notes)]);
    await stage.startWorker();
    const bridge = await stage.startBridge();
    const half = (w: RouteWorkload) => Math.ceil(w.bodies.length / 2);
    for (const w of workloads) await stage.send(w.route, w.bodies.slice(0, half(w)));
    await waitFor(async () => (await readProgress(workloads)) >= 0.5, 120_000, 250);
    await stopStackService(stage.env, 'elasticmq');
    await sleep(stage.settings.sqsDownMs);
    const endedAt = await startStackService(stage.env, 'elasticmq');
    await stage.createQueues();
    if (bridge.child.exitCode !== null || bridge.child.signalCode !== null) notes.push(`the bridge exited during the outage (${bridge.child.exitCode ?? bridge.child.signalCode})`);
    for (const w of workloads) await stage.send(w.route, w.bodies.slice(half(w)));
    return { sources: [], endedAt };
  },
};

/** Another PostgreSQL transaction holds `SELECT … FOR UPDATE` on one document of the entity being deleted, then releases it. */
export const rowLock: FaultDefinition = {
  name: 'row-lock',
  description: 'a document row locked by another transaction during entity-deleted, released later',
  async run(stage, register) {
    const workload = await stage.workload('entity-deleted', 1);
    register([toRowSource('row-lock', `row lock (SELECT … FOR UPDATE) held ${minutes(stage.settings.rowLockMs)} during entity-deleted`, [workload])]);
    const holder = new PgClient({ connectionString: stage.env.endpoints.DATABASE_URL });
    await holder.connect();
    try {
      const entityId = (JSON.parse(workload.bodies[0] ?? '{}') as { entity_id?: string }).entity_id ?? '';
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM documents WHERE entity_id = $1 ORDER BY id LIMIT 1 FOR UPDATE', [entityId]);
      await stage.startWorker();
      await stage.startBridge();
      await sendAll(stage, [workload]);
      await sleep(stage.settings.rowLockMs);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    return { sources: [], endedAt: Date.now() };
  },
};
