import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createTemporalClient } from '../../src/app/clients';
import { ENCRYPTED_ENCODING, type JsonPayload, type JsonPayloads, METADATA_ENCRYPTION_KEY_ID, fromJsonPayload, toJsonPayload } from '../../src/codec';
import { RETIRED_GENERATION } from '../../src/shared/account-event';
import { resolveTemporalCli } from '../../src/stack';
import { type E2eContext, type TestCascade, createE2eContext, eventually, startTestCascade } from '../support/e2e-harness';
import { collectPayloads, readRawHistory, toHistoryBytes, toMetadataText } from '../support/raw-history';
import { getTestStack } from '../support/test-stack';

const execFileAsync = promisify(execFile);

const ISS = 'api.accounts.firefox.com';
const TOKEN = 'e2e-codec-token-0123456789';

function toKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

describe('payload encryption end to end (bridge → Temporal → worker with CASCADE_PAYLOAD_KEYS; raw history; POST /codec/decode)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;

  before(async () => {
    ctx = await createE2eContext('codec');
  });
  after(async () => {
    await ctx?.close();
  });

  const uid = () => `u${randomUUID().replace(/-/g, '')}`;
  const userRows = (email: string) => ctx.db.prisma.user.findMany({ where: { email }, orderBy: { uid: 'asc' } });

  /** Sends a `delete` for a fresh user of this cascade, waits until it completed, returns its email and workflow ID. */
  async function runDelete(cascade: TestCascade): Promise<{ email: string; workflowId: string }> {
    const name = uid();
    const email = `${name}@${ISS}`;
    await ctx.db.prisma.user.create({ data: { email, generation: 3n, clientState: 'cs', createdAt: 1n } });
    const before = cascade.outcomes.length;
    await cascade.send([JSON.stringify({ event: 'delete', uid: name, iss: ISS, ts: 1_700_000_000 })]);
    const outcomes = await cascade.waitForOutcomes(before + 1);
    const outcome = outcomes.at(-1);
    assert.equal(outcome?.outcome, 'started');
    const workflowId = outcome?.workflowId ?? '';
    assert.ok(!workflowId.includes(name) && !workflowId.includes(ISS), `workflow ID ${workflowId} carries no PII`);
    // Raw describe: the SDK's describe() would decode the (encrypted) memo, which this codec-less client cannot.
    const namespace = ctx.env.TEMPORAL_NAMESPACE ?? 'default';
    await eventually('the cascade completed', async () => {
      const { workflowExecutionInfo } = await ctx.temporal.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
      return workflowExecutionInfo?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    });
    return { email, workflowId };
  }

  async function postCodec(baseUrl: string, direction: 'decode' | 'encode', payloads: readonly JsonPayload[], headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${baseUrl}/codec/${direction}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': ctx.env.TEMPORAL_NAMESPACE ?? 'default', ...headers },
      body: JSON.stringify({ payloads }),
    });
  }

  it('when a cascade runs with encryption on, then its raw history holds no plaintext, and /codec/decode of the running process returns it', async () => {
    const keys = toKeyEntry('e2e-k1');
    const cascade = await startTestCascade(ctx, { env: { CASCADE_PAYLOAD_KEYS: keys, CASCADE_CODEC_TOKEN: TOKEN } });
    try {
      const { email, workflowId } = await runDelete(cascade);
      assert.deepEqual((await userRows(email)).map((r) => r.generation), [RETIRED_GENERATION], 'the cascade did its work');

      const history = await readRawHistory(ctx.temporal, ctx.env.TEMPORAL_NAMESPACE ?? 'default', workflowId);
      assert.ok(!toHistoryBytes(history).includes(email), 'the email appears nowhere in the stored history');
      assert.ok(!toHistoryBytes(history).includes(ISS), 'nor does the issuer');
      const found = collectPayloads(history);
      const searchAttributes = found.filter((f) => f.path.includes('searchAttributes'));
      // Markers' own metadata is written by the SDK's core, never through the codec: the patch ID, and the local activity's ID, type and attempt (no event data).
      const markerMetadata = found.filter((f) => /markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(f.path));
      const data = found.filter((f) => !f.path.includes('searchAttributes') && !markerMetadata.includes(f));
      assert.ok(searchAttributes.length >= 2, 'CascadeRoute and EventKey stay plaintext search attributes');
      assert.equal(markerMetadata.length, 2, `the patch marker and the local-activity marker: ${markerMetadata.map((f) => f.path).join(', ')}`);
      assert.ok(data.length >= 4, `input, memo, local-activity result and result are payloads: ${data.map((f) => f.path).join(', ')}`);
      for (const { path, payload } of data) {
        assert.equal(toMetadataText(payload, 'encoding'), ENCRYPTED_ENCODING, path);
        assert.equal(toMetadataText(payload, METADATA_ENCRYPTION_KEY_ID), 'e2e-k1', path);
      }

      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const rawInput = (started?.input?.payloads ?? []).map(toJsonPayload);
      assert.equal(rawInput.length, 1);
      const base = cascade.app.httpUrl ?? '';
      const response = await postCodec(base, 'decode', rawInput, { authorization: `Bearer ${TOKEN}` });
      assert.equal(response.status, 200, await response.clone().text());
      const decoded = (await response.json()) as JsonPayloads;
      const input = defaultPayloadConverter.fromPayload<{ route: string; event: { type: string; email: string } }>(fromJsonPayload(decoded.payloads[0] ?? {}));
      assert.equal(input.route, 'account-events');
      assert.deepEqual(input.event, { type: 'delete', email, ts: 1_700_000_000 });

      const all = await postCodec(base, 'decode', data.map((f) => toJsonPayload(f.payload)), { authorization: `Bearer ${TOKEN}` });
      assert.equal(all.status, 200);
      const texts = ((await all.json()) as JsonPayloads).payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'));
      assert.ok(texts.some((t) => t.includes(email)), 'the decoded history holds the email again');

      // The Temporal CLI decodes through the same endpoint, with the token as its codec auth.
      const cli = await resolveTemporalCli({ cacheDir: getTestStack().options.cacheDir, logger: ctx.logger });
      const address = ctx.env.TEMPORAL_ADDRESS ?? '';
      const { stdout } = await execFileAsync(cli, ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json', '--codec-endpoint', `${base}/codec`, '--codec-auth', `Bearer ${TOKEN}`]);
      const shown = JSON.parse(stdout) as { events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: JsonPayload[] } } }> };
      const [shownInput] = shown.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      assert.equal(Buffer.from(shownInput?.metadata?.encoding ?? '', 'base64').toString('utf8'), 'json/plain', '`temporal workflow show --codec-endpoint` decoded the input');
      assert.ok(Buffer.from(shownInput?.data ?? '', 'base64').toString('utf8').includes(email));

      const wrong = await postCodec(base, 'decode', rawInput, { authorization: 'Bearer not-the-token-at-all' });
      assert.equal(wrong.status, 401);
      assert.equal((await postCodec(base, 'decode', rawInput)).status, 401, 'no token at all');

      const withKeys = createTemporalClient(ctx.config({ CASCADE_PAYLOAD_KEYS: keys }, ['client']));
      const withoutKeys = createTemporalClient(ctx.config({ CASCADE_PAYLOAD_KEYS: '' }, ['client']));
      try {
        assert.deepEqual(await withKeys.workflow.getHandle(workflowId).result(), { type: 'delete', outcome: 'retired', rowsAffected: 1 }, 'the CLI client (same config) reads the result');
        await assert.rejects(withoutKeys.workflow.getHandle(workflowId).result(), /binary\/encrypted/, 'a client without the keys cannot read it');
      } finally {
        await withKeys.connection.close();
        await withoutKeys.connection.close();
      }
    } finally {
      await cascade.app.stop();
    }
  });

  it('when a browser preflights /codec/decode from the Web UI origin, then the answer allows it, and other origins get no CORS headers', async () => {
    const uiOrigin = new URL(ctx.env.TEMPORAL_UI_URL ?? '').origin;
    const cascade = await startTestCascade(ctx, { env: { CASCADE_PAYLOAD_KEYS: toKeyEntry('e2e-k1'), CASCADE_CODEC_TOKEN: TOKEN }, roles: { bridge: false, worker: false, http: true } });
    try {
      const preflight = (origin: string) =>
        fetch(`${cascade.app.httpUrl ?? ''}/codec/decode`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
        });
      const allowed = await preflight(uiOrigin);
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), uiOrigin);
      assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
      const headers = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['content-type', 'x-namespace', 'authorization']) assert.ok(headers.includes(header), `${header} in ${headers}`);

      const other = await preflight('https://elsewhere.example.com');
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await cascade.app.stop();
    }
  });

  it('when a new key is prepended, then a new process writes with it and still decodes histories written with the old one', async () => {
    const oldKey = toKeyEntry('e2e-2025');
    const first = await startTestCascade(ctx, { env: { CASCADE_PAYLOAD_KEYS: oldKey } });
    let old: { email: string; workflowId: string };
    try {
      old = await runDelete(first);
    } finally {
      await first.app.stop();
    }
    const second = await startTestCascade(ctx, { env: { CASCADE_PAYLOAD_KEYS: `${toKeyEntry('e2e-2026')},${oldKey}` } });
    try {
      const fresh = await runDelete(second);
      const namespace = ctx.env.TEMPORAL_NAMESPACE ?? 'default';
      for (const [run, keyId] of [[old, 'e2e-2025'], [fresh, 'e2e-2026']] as const) {
        const history = await readRawHistory(ctx.temporal, namespace, run.workflowId);
        const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] ?? {};
        assert.equal(toMetadataText(input, METADATA_ENCRYPTION_KEY_ID), keyId);
        const response = await postCodec(second.app.httpUrl ?? '', 'decode', [toJsonPayload(input)]);
        assert.equal(response.status, 200, await response.clone().text());
        const [decoded] = ((await response.json()) as JsonPayloads).payloads;
        assert.match(Buffer.from(decoded?.data ?? '', 'base64').toString('utf8'), new RegExp(run.email.replace(/\./g, '\\.')));
      }
    } finally {
      await second.app.stop();
    }
  });
});
