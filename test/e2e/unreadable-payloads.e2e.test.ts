import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createTemporalClient } from '../../src/app/clients';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import { runCli } from '../support/cli-runner';
import { type E2eContext, createE2eContext } from '../support/e2e-harness';

/**
 * Operators' read-only views over a namespace holding cascades encrypted with
 * a key the CLI does not have (another deployment's, or no CASCADE_PAYLOAD_KEYS
 * at all): they list and show them, naming the key, instead of failing.
 */
describe('read-only CLI views of cascades encrypted with a key they lack (real CLI, Temporal)', function () {
  this.timeout(120_000);
  let ctx: E2eContext;
  before(async () => {
    ctx = await createE2eContext('unreadable');
  });
  after(async () => {
    await ctx?.close();
  });

  it('when a running cascade is encrypted with an unknown key, then `failed`, `status` and `show` still answer and `show` names the key, while rerun refuses', async () => {
    const keyId = `other${randomUUID().slice(0, 8)}`;
    const encrypting = createTemporalClient(ctx.config({ CASCADE_PAYLOAD_KEYS: `${keyId}:${randomBytes(32).toString('base64')}` }, ['client']));
    const workflowId = `account-events/unreadable-${randomUUID()}`;
    const namespace = ctx.env.TEMPORAL_NAMESPACE ?? 'default';
    try {
      // A cascade type on a task queue no worker polls: it stays RUNNING, as one whose worker is down would.
      const handle = await encrypting.workflow.start('accountEventsWorkflow', {
        taskQueue: `nobody-${randomUUID().slice(0, 8)}`,
        workflowId,
        args: [{ route: 'account-events', eventKey: 'k', event: { type: 'delete', email: 'someone@example.com' }, activity: {} }],
        memo: { queueUrl: 'http://queue', sqsMessageId: 'm-1', receivedAt: new Date().toISOString() },
        typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: 'account-events' }],
      });
      const env = { ...ctx.env, CASCADE_PAYLOAD_KEYS: '' };

      const failed = await runCli(['failed', '--json'], env);
      assert.equal(failed.code, 0, failed.stderr);
      assert.ok(Array.isArray(JSON.parse(failed.stdout)), 'the listing is JSON');

      const status = await runCli(['status', '--json'], env);
      assert.equal(status.code, 0, status.stderr);
      assert.doesNotMatch(status.stdout, /Unknown encoding/);

      const shown = await runCli(['show', workflowId], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`input: +"<encrypted with key \\\\"${keyId}\\\\", which CASCADE_PAYLOAD_KEYS of this process does not hold>"`), shown.stdout);
      assert.ok(!shown.stdout.includes('someone@example.com'), 'nothing is decrypted');

      await handle.terminate('test over');
      const rerun = await runCli(['rerun', workflowId, '--yes'], env);
      assert.notEqual(rerun.code, 0, 'rerun needs the real input, so it never runs on a placeholder');
    } finally {
      await encrypting.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId } }).catch(() => undefined);
      await encrypting.connection.close();
    }
  });
});
