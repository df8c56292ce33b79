import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { startCascadeProcess } from '../../src/app/cascade-app';
import { isConfigError } from '../../src/config';
import { type E2eContext, createE2eContext, eventually, startTestCascade } from '../support/e2e-harness';
import { runCli } from '../support/cli-runner';
import { type TestCertificates, createTestCertificates } from '../support/test-certificates';
import { type RecordingProxy, type TlsTerminator, startRecordingProxy, startTlsTerminator } from '../support/temporal-fronts';

const ISS = 'api.accounts.firefox.com';

describe('secured Temporal connections end to end (TLS terminator with mTLS, API key proxy, in front of the stack Temporal)', function () {
  this.timeout(180_000);
  let ctx: E2eContext;
  let pki: TestCertificates;
  let mtls: TlsTerminator;
  let proxy: RecordingProxy;

  before(async () => {
    ctx = await createE2eContext('tls');
    pki = await createTestCertificates();
    const upstream = ctx.env.TEMPORAL_ADDRESS ?? '';
    mtls = await startTlsTerminator({ upstream, cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert });
    proxy = await startRecordingProxy(upstream);
  });
  after(async () => {
    await mtls?.close();
    await proxy?.close();
    await ctx?.close();
  });

  const mtlsEnv = (): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_SERVER_NAME: pki.serverName,
  });

  /** Runs one account `delete` through bridge and worker started with `env`; resolves once Temporal says it completed. */
  async function runCascade(env: NodeJS.ProcessEnv): Promise<string> {
    const cascade = await startTestCascade(ctx, { env });
    try {
      const name = `u${randomUUID().replace(/-/g, '')}`;
      const email = `${name}@${ISS}`;
      await ctx.db.prisma.user.create({ data: { email, generation: 3n, clientState: 'cs', createdAt: 1n } });
      await cascade.send([JSON.stringify({ event: 'delete', uid: name, iss: ISS, ts: 1_700_000_000 })]);
      const [outcome] = await cascade.waitForOutcomes(1);
      assert.equal(outcome?.outcome, 'started');
      const workflowId = outcome?.workflowId ?? '';
      const namespace = ctx.env.TEMPORAL_NAMESPACE ?? 'default';
      await eventually('the cascade completed', async () => {
        const { workflowExecutionInfo } = await ctx.temporal.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
        return workflowExecutionInfo?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
      });
      const rows = await ctx.db.prisma.user.findMany({ where: { email } });
      assert.ok(rows.every((row) => row.replacedAt !== null), 'the user was retired by the worker');
      return workflowId;
    } finally {
      await cascade.app.stop();
    }
  }

  async function startError(env: NodeJS.ProcessEnv): Promise<string> {
    try {
      const app = await startCascadeProcess(ctx.config({ ...env, CASCADE_QUEUE_URL_ACCOUNT_EVENTS: 'http://127.0.0.1:1/000000000000/none', CASCADE_QUARANTINE_QUEUE_URL: 'http://127.0.0.1:1/000000000000/q' }), { bridge: true, worker: true, http: false }, ctx.logger);
      await app.stop();
    } catch (error) {
      assert.ok(isConfigError(error), `a ConfigError, got ${String(error)}`);
      return error.message;
    }
    assert.fail('the process started');
  }

  it('when bridge and worker connect with the CA, server name and a client certificate, a cascade runs through the mTLS terminator', async () => {
    const before = mtls.acceptedConnections();
    await runCascade(mtlsEnv());
    assert.ok(mtls.acceptedConnections() - before >= 2, `bridge and worker connected through the terminator (${mtls.acceptedConnections() - before} connections)`);
  });

  it('when the server requires a client certificate and none is set, the process stops at start naming the setting', async () => {
    const message = await startError({ ...mtlsEnv(), TEMPORAL_TLS_CLIENT_CERT_PATH: '', TEMPORAL_TLS_CLIENT_KEY_PATH: '' });
    assert.match(message, /TEMPORAL_TLS_CLIENT_CERT_PATH/);
    assert.match(message, /requires a client certificate/);
  });

  it('when the client certificate comes from a CA the server does not trust, the process stops at start naming the setting', async () => {
    const message = await startError({ ...mtlsEnv(), TEMPORAL_TLS_CLIENT_CERT_PATH: pki.strangerCert, TEMPORAL_TLS_CLIENT_KEY_PATH: pki.strangerKey });
    assert.match(message, /TEMPORAL_TLS_CLIENT_CERT_PATH/);
    assert.match(message, /refused the client certificate/);
  });

  it('when the CA does not verify the server, the process stops at start naming the CA setting and the server name used', async () => {
    const message = await startError({ ...mtlsEnv(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCaCert });
    assert.match(message, /TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
    assert.match(message, /server name "temporal\.test"/);
  });

  it('when the server name is not in the server certificate, the process stops at start naming TEMPORAL_TLS_SERVER_NAME', async () => {
    const message = await startError({ ...mtlsEnv(), TEMPORAL_TLS_SERVER_NAME: 'elsewhere.test' });
    assert.match(message, /TEMPORAL_TLS_SERVER_NAME/);
    assert.match(message, /elsewhere\.test/);
  });

  it('when TLS is asked for against the plain-text frontend, the process stops at start naming TEMPORAL_TLS', async () => {
    const message = await startError({ TEMPORAL_ADDRESS: ctx.env.TEMPORAL_ADDRESS ?? '', TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert });
    assert.match(message, /TEMPORAL_TLS:/);
    assert.match(message, /did not complete a TLS handshake/);
  });

  it('when plain text is used against the TLS endpoint, the process stops at start naming TEMPORAL_TLS', async () => {
    const message = await startError({ TEMPORAL_ADDRESS: mtls.address });
    assert.match(message, /TEMPORAL_TLS:/);
    assert.match(message, /did not answer plain-text gRPC/);
  });

  it('when TEMPORAL_API_KEY is set, every call of bridge and worker reaches the server with authorization: Bearer <key>', async () => {
    const key = `key-${randomUUID()}`;
    const before = proxy.requests.length;
    // TLS off explicitly: an API key alone turns TLS on, and this proxy speaks plain text.
    await runCascade({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_API_KEY: key, TEMPORAL_TLS: 'false' });
    const seen = proxy.requests.slice(before);
    const paths = new Set(seen.map((h) => String(h[':path'])));
    assert.ok(paths.has('/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution'), `the bridge started the workflow through the proxy (${[...paths].join(', ')})`);
    assert.ok(paths.has('/temporal.api.workflowservice.v1.WorkflowService/PollWorkflowTaskQueue'), 'the worker polled through the proxy');
    const without = seen.filter((h) => h.authorization !== `Bearer ${key}`).map((h) => String(h[':path']));
    assert.deepEqual(without, [], 'every call carried the key');
  });

  it('when the settings come from a TOML profile, the environment overrides the file', async () => {
    const file = `${pki.dir}/temporal.toml`;
    const toml = [
      '[profile.secured]',
      `address = "${mtls.address}"`,
      '[profile.secured.tls]',
      `server_ca_cert_path = "${pki.caCert}"`,
      `client_cert_path = "${pki.clientCert}"`,
      `client_key_path = "${pki.clientKey}"`,
      'server_name = "wrong.test"',
      '',
    ].join('\n');
    (await import('node:fs')).writeFileSync(file, toml);
    assert.ok(readFileSync(file, 'utf8').includes('[profile.secured]'));
    const before = mtls.acceptedConnections();
    await runCascade({ TEMPORAL_ADDRESS: '', TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'secured', TEMPORAL_TLS_SERVER_NAME: pki.serverName });
    assert.ok(mtls.acceptedConnections() > before, 'the profile address (the terminator) was used');
  });

  it('when a CLI command runs with a CA that does not verify the server, then it stops at once naming the CA setting and the server name used', async () => {
    const run = await runCli(['failed', '--json'], { ...ctx.env, ...mtlsEnv(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCaCert, CASCADE_STATE_DIR: pki.dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
    assert.ok(run.stderr.includes(pki.serverName), run.stderr);
  });

  it('when a CLI command runs with the mTLS settings, then it reaches Temporal through the terminator', async () => {
    const before = mtls.acceptedConnections();
    const run = await runCli(['failed', '--json'], { ...ctx.env, ...mtlsEnv(), CASCADE_STATE_DIR: pki.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Array.isArray(JSON.parse(run.stdout)) || typeof JSON.parse(run.stdout) === 'object');
    assert.ok(mtls.acceptedConnections() > before, 'the CLI connected through the terminator');
  });
});
