import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type Page, type Response, chromium } from 'playwright-core';
import { createTemporalClient } from '../../src/app/clients';
import { ENCRYPTED_ENCODING } from '../../src/codec';
import { parseAccountEvent } from '../../src/routes/account-events';
import { toWorkflowId } from '../../src/routes/route';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium';
import { type E2eContext, type TestCascade, createE2eContext, startTestCascade } from '../support/e2e-harness';
import { readRawHistory, toMetadataText } from '../support/raw-history';
import { getTestStack } from '../support/test-stack';

const ISS = 'api.accounts.firefox.com';
const ARTIFACTS_DIR = path.join(__dirname, '..', '..', '..', 'test-results', 'web-ui');
/** The Web UI is a single-page app that loads data after the page: wait generously, assert on content. */
const UI_TIMEOUT_MS = 60_000;

interface SentCascade {
  readonly email: string;
  readonly workflowId: string;
}

describe('Temporal Web UI decodes encrypted cascades through Cascade (headless Chromium)', function () {
  this.timeout(300_000);
  let ctx: E2eContext;
  let cascade: TestCascade;
  let browser: Browser;
  let page: Page | undefined;
  let uiUrl: string;
  let httpUrl: string;
  const runLabel = new Date().toISOString().replace(/[:.]/g, '-');
  const keys = `webui-1:${randomBytes(32).toString('base64')}`;

  async function saveScreenshot(target: Page, name: string): Promise<string> {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${runLabel}-${name}.png`);
    await target.screenshot({ path: file, fullPage: true });
    process.stderr.write(`[web-ui] screenshot: ${file}\n`);
    return file;
  }

  before(async function () {
    this.timeout(600_000);
    const executablePath = await ensureChromium();
    const { options } = getTestStack();
    ctx = await createE2eContext('webui');
    uiUrl = process.env.TEMPORAL_UI_URL ?? '';
    assert.ok(uiUrl, 'TEMPORAL_UI_URL is exported by the root hook');
    // The dev server's UI calls http://127.0.0.1:<ports.http>/codec: this process must listen there.
    cascade = await startTestCascade(ctx, {
      env: { CASCADE_PAYLOAD_KEYS: keys, CASCADE_HTTP_PORT: String(options.ports.http) },
    });
    httpUrl = cascade.app.httpUrl ?? '';
    assert.equal(new URL(httpUrl).port, String(options.ports.http));
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page !== undefined) await saveScreenshot(page, 'failure').catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await cascade?.app.stop();
    await ctx?.close();
  });

  /**
   * Waits until every workflow ID shows in the list. The SPA renders its table
   * after its own API calls; visibility may lag a moment, so it reloads between attempts.
   */
  async function waitForListed(ui: Page, workflowIds: readonly string[]): Promise<void> {
    const deadline = Date.now() + 2 * UI_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        for (const id of workflowIds) await ui.getByText(id, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS / 2 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`workflow IDs not all listed after ${attempt} attempts: ${workflowIds.join(', ')}`, { cause: error });
        await ui.reload();
      }
    }
  }

  /** Sends `delete` events for fresh users and waits (through a client with the same keys) until their cascades completed. */
  async function sendDeletes(count: number): Promise<SentCascade[]> {
    const sent: SentCascade[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `u${randomUUID().replace(/-/g, '')}`;
      const email = `${name}@${ISS}`;
      await ctx.db.prisma.user.create({ data: { email, generation: 2n, clientState: 'cs', createdAt: 1n } });
      const body = JSON.stringify({ event: 'delete', uid: name, iss: ISS, ts: 1_700_000_000 });
      const parsed = parseAccountEvent(JSON.parse(body), ctx.config({}, []).accountEvents.eventKeySecret);
      assert.equal(parsed.kind, 'event');
      bodies.push(body);
      sent.push({ email, workflowId: toWorkflowId('account-events', parsed.kind === 'event' ? parsed.eventKey : '') });
    }
    const before = cascade.outcomes.length;
    await cascade.send(bodies);
    const outcomes = (await cascade.waitForOutcomes(before + count)).slice(before);
    assert.deepEqual(outcomes.map((o) => [o.outcome, o.workflowId]).sort(), sent.map((s) => ['started', s.workflowId]).sort());
    const client = createTemporalClient(ctx.config({ CASCADE_PAYLOAD_KEYS: keys }, ['client']));
    try {
      for (const { workflowId } of sent) {
        const result = (await client.workflow.getHandle(workflowId).result()) as { outcome: string };
        assert.equal(result.outcome, 'retired');
      }
    } finally {
      await client.connection.close();
    }
    return sent;
  }

  it('when cascades run with encryption on, then the workflow list shows them and a workflow page shows the decoded input', async () => {
    const sent = await sendDeletes(3);
    const ui = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page = ui;

    const listUrl = `${uiUrl}/namespaces/${encodeURIComponent(ctx.env.TEMPORAL_NAMESPACE ?? 'default')}/workflows?query=${encodeURIComponent('CascadeRoute="account-events"')}`;
    await ui.goto(listUrl);
    await waitForListed(ui, sent.map((s) => s.workflowId));
    await saveScreenshot(ui, 'workflow-list');

    const [chosen] = sent;
    assert.ok(chosen);
    const stored = await readRawHistory(ctx.temporal, ctx.env.TEMPORAL_NAMESPACE ?? 'default', chosen.workflowId);
    const storedInput = stored.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] ?? {};
    assert.equal(toMetadataText(storedInput, 'encoding'), ENCRYPTED_ENCODING, 'Temporal stores the input encrypted');

    const decodes: Response[] = [];
    ui.on('response', (response) => {
      if (response.url() === `${httpUrl}/codec/decode` && response.request().method() === 'POST') decodes.push(response);
    });
    await ui.getByRole('link', { name: chosen.workflowId, exact: true }).first().click();
    await ui.waitForURL((url) => decodeURIComponent(url.pathname).includes(chosen.workflowId), { timeout: UI_TIMEOUT_MS });
    await ui.getByText(chosen.email).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await saveScreenshot(ui, 'workflow-decoded-input');

    assert.ok(decodes.length > 0, 'the page called POST /codec/decode on Cascade');
    assert.ok(decodes.every((response) => response.status() === 200), decodes.map((r) => r.status()).join(','));
    assert.ok(!(await ui.getByText(ENCRYPTED_ENCODING).first().isVisible()), 'no payload is shown still encrypted');
  });
});
