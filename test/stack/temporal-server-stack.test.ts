import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import {
  CASCADE_SEARCH_ATTRIBUTES,
  TEMPORAL_DATABASES,
  TEMPORAL_NAMESPACE,
  findFreeStackPorts,
  getStackStatus,
  resolveCacheDir,
  startService,
  stopService,
  stopStack,
  toEmbeddedDatabaseUrl,
  toUiCodecEndpoint,
  type StackOptions,
} from '../../src/stack';
import type { ProbeActivities, serverProbeWorkflow } from './server-probe/workflows';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const CASCADE_ROUTE = defineSearchAttributeKey('CascadeRoute', SearchAttributeType.KEYWORD);

/**
 * The `server` variant of the stack on its own (PostgreSQL and Temporal only,
 * in a temp state dir on free ports), whatever variant the suite's shared
 * stack runs.
 */
describe('local stack with the Temporal server on PostgreSQL (temporal: server)', () => {
  let options: StackOptions;
  let address: string;

  before(async function () {
    this.timeout(25 * 60_000); // a first run builds the Temporal server and its SQL tool
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-server-stack-'));
    options = {
      stateDir,
      cacheDir: resolveCacheDir(),
      ports: await findFreeStackPorts(),
      temporal: 'server',
      logger: pino({ level: process.env.CASCADE_TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
      onProgress: ({ service, step }) => {
        if (step !== 'starting' && step !== 'ready') process.stderr.write(`[server stack] ${service}: ${step}\n`);
      },
    };
    address = `127.0.0.1:${options.ports.temporal}`;
    await startService('postgres', options);
    await startService('temporal', options);
    await startService('temporal-ui', options);
  });

  after(async function () {
    this.timeout(120_000);
    if (options === undefined) return;
    await stopStack(options);
    await rm(options.stateDir, { recursive: true, force: true });
  });

  const withClient = async <T>(fn: (client: Client, connection: Connection) => Promise<T>): Promise<T> => {
    const connection = await Connection.connect({ address });
    try {
      return await fn(new Client({ connection, namespace: TEMPORAL_NAMESPACE }), connection);
    } finally {
      await connection.close();
    }
  };

  it('when it is up, then stack status says the Temporal server runs, not the dev server', async () => {
    const temporal = (await getStackStatus(options)).find((s) => s.service === 'temporal');
    assert.equal(temporal?.running, true, JSON.stringify(temporal));
    assert.equal(temporal?.variant, 'server');
  });

  it('when it is up, then both schemas live in the stack PostgreSQL, created and upgraded by the SQL tool', async () => {
    for (const database of Object.values(TEMPORAL_DATABASES)) {
      const client = new PgClient({ connectionString: toEmbeddedDatabaseUrl(options.ports.postgres, database) });
      await client.connect();
      try {
        const { rows } = await client.query<{ curr_version: string }>('SELECT curr_version FROM schema_version');
        assert.equal(rows.length, 1, database);
        assert.notEqual(rows[0]?.curr_version, '0.0', `${database} was only set up, never upgraded`);
      } finally {
        await client.end();
      }
    }
    const temporal = new PgClient({ connectionString: toEmbeddedDatabaseUrl(options.ports.postgres, TEMPORAL_DATABASES.persistence) });
    await temporal.connect();
    try {
      const { rows } = await temporal.query<{ name: string }>('SELECT name FROM namespaces');
      assert.ok(rows.some((row) => row.name === TEMPORAL_NAMESPACE), `namespaces: ${rows.map((row) => row.name).join(', ')}`);
    } finally {
      await temporal.end();
    }
  });

  it("when it is up, then Cascade's search attributes are registered as keywords on the default namespace", async () => {
    const { customAttributes } = await withClient((_client, connection) => connection.operatorService.listSearchAttributes({ namespace: TEMPORAL_NAMESPACE }));
    for (const name of Object.keys(CASCADE_SEARCH_ATTRIBUTES)) {
      assert.equal(customAttributes?.[name], KEYWORD, `${name} in ${JSON.stringify(customAttributes)}`);
    }
  });

  it('when a workflow is started with a search attribute, then it runs its activity to completion and visibility finds it by that attribute', async function () {
    this.timeout(120_000);
    const taskQueue = `server-stack-${Date.now()}`;
    const route = `probe-${Date.now()}`;
    const activities: ProbeActivities = { greet: (name) => Promise.resolve(`hello ${name}`) };
    const connection = await NativeConnection.connect({ address });
    try {
      const worker = await Worker.create({ connection, namespace: TEMPORAL_NAMESPACE, taskQueue, workflowsPath: require.resolve('./server-probe/workflows'), activities });
      const result = await worker.runUntil(
        withClient((client) =>
          client.workflow.execute<typeof serverProbeWorkflow>('serverProbeWorkflow', { workflowId: `server-stack/${route}`, taskQueue, args: ['server'], typedSearchAttributes: [{ key: CASCADE_ROUTE, value: route }] }),
        ),
      );
      assert.equal(result, 'hello server');
    } finally {
      await connection.close();
    }
    const found = await withClient(async (client) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const ids: string[] = [];
        for await (const execution of client.workflow.list({ query: `CascadeRoute = "${route}" AND ExecutionStatus = "Completed"` })) ids.push(execution.workflowId);
        if (ids.length > 0) return ids;
        await sleep(200);
      }
      return [];
    });
    assert.deepEqual(found, [`server-stack/${route}`]);
  });

  it('when a workflow has run, then the Web UI server beside it lists the workflow from the Temporal server and serves the UI page', async () => {
    const ui = (await getStackStatus(options)).find((s) => s.service === 'temporal-ui');
    assert.equal(ui?.running, true, JSON.stringify(ui));
    const uiUrl = `http://127.0.0.1:${options.ports.temporalUi}`;
    const page = await fetch(uiUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const query = encodeURIComponent('WorkflowType = "serverProbeWorkflow" AND ExecutionStatus = "Completed"');
    const response = await fetch(`${uiUrl}/api/v1/namespaces/${TEMPORAL_NAMESPACE}/workflows?query=${query}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { executions?: Array<{ execution?: { workflowId?: string } }> };
    const ids = (body.executions ?? []).map((execution) => execution.execution?.workflowId);
    assert.ok(ids.some((id) => id?.startsWith('server-stack/probe-')), JSON.stringify(body));
    const settings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    assert.equal(settings.Codec?.Endpoint, toUiCodecEndpoint(options.ports.http));
  });

  it('when it is stopped and started again, then the schema tool runs again harmlessly and the server still knows its workflows', async function () {
    this.timeout(240_000);
    const workflowId = `server-stack/restart-${Date.now()}`;
    const taskQueue = `server-stack-restart-${Date.now()}`;
    await withClient((client) => client.workflow.start('serverProbeWorkflow', { workflowId, taskQueue, args: ['restart'] }));

    await stopService('temporal', options);
    assert.equal((await getStackStatus(options)).find((s) => s.service === 'temporal')?.running, false);
    await startService('temporal', options);

    await withClient(async (client) => {
      const handle = client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      assert.equal(description.status.name, 'RUNNING');
      assert.equal(description.taskQueue, taskQueue);
      await handle.terminate('stack test done');
    });
    const temporal = (await getStackStatus(options)).find((s) => s.service === 'temporal');
    assert.equal(temporal?.variant, 'server');
  });

  it('when it is started again unchanged, then the running server is kept (same process)', async function () {
    this.timeout(120_000);
    const before = (await getStackStatus(options)).find((s) => s.service === 'temporal');
    await startService('temporal', options);
    const after = (await getStackStatus(options)).find((s) => s.service === 'temporal');
    assert.equal(after?.pid, before?.pid);
    assert.equal(after?.running, true);
  });
});
