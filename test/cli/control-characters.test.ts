import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSqsClient } from '../../src/app/clients';
import { quarantineMessage } from '../../src/bridge/quarantine';
import { escapeControlCharacters, escapeJsonControlCharacters } from '../../src/cli/text-format';
import { loadConfig } from '../../src/config';
import { runCli } from '../support/cli-runner';
import { createTestQueues } from '../support/e2e-harness';

// SQS refuses C0 controls but CR, tab and newline; CR, the C1 CSI (\u009b, ESC [ on many terminals) and bidi overrides get through.
const HOSTILE_BODY = '{"note":"x"}\u009b2J\u009bH\rFAKE PROMPT$ \u202eevil\u007f';
const HOSTILE_REASON = 'event_name: \u009b31mred\u009b0m\rrewritten';

describe('CLI output of message bodies and reasons: control characters escaped', function () {
  this.timeout(120_000);

  it('when a text is escaped, then terminal controls become visible escapes and newlines and tabs stay', () => {
    assert.equal(escapeControlCharacters('a\u001b[31mb\rc\u202ed\u0000e\u009bf\tg\nh'), 'a\\x1b[31mb\\rc\\u202ed\\x00e\\x9bf\tg\nh');
    assert.equal(escapeControlCharacters('plain ünïcode ✓'), 'plain ünïcode ✓');
  });

  it('when JSON is printed, then the controls JSON.stringify leaves raw (DEL, C1, bidi) become \\u escapes of the same value', () => {
    const value = { body: HOSTILE_BODY, reason: HOSTILE_REASON, isolate: '\u2066x\u2069', plain: 'ünïcode ✓' };
    const json = escapeJsonControlCharacters(JSON.stringify(value));
    for (const raw of ['\u009b', '\u007f', '\u202e', '\u2066', '\u2069', '\r']) assert.ok(!json.includes(raw), `no raw ${JSON.stringify(raw)} in ${json}`);
    assert.match(json, /\\u009b2J\\u009bH\\rFAKE PROMPT\$ \\u202eevil\\u007f/);
    assert.deepEqual(JSON.parse(json), value, 'the same JSON value');
  });

  it('when a quarantined message carries escape sequences in its body and reason, then `dlq list` and `dlq show` print them escaped', async () => {
    const sqs = createSqsClient(loadConfig(process.env, ['client']));
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cascade-ctl-'));
    try {
      const queues = await createTestQueues(sqs, 'ctl');
      await quarantineMessage(sqs, queues.quarantineQueueUrl, {
        message: { MessageId: 'hostile-1', Body: HOSTILE_BODY, MessageAttributes: {} },
        sourceQueueUrl: queues.queueUrl,
        route: 'account-events',
        reason: HOSTILE_REASON,
      });
      const env = { ...process.env, CASCADE_STATE_DIR: stateDir, CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl, CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl, CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl };
      const list = await runCli(['dlq', 'list', '--queue', 'quarantine'], env);
      assert.equal(list.code, 0, list.stderr);
      const id = /^(\S+)\s+account-events/m.exec(list.stdout)?.[1] ?? '';
      assert.ok(id.length > 0, list.stdout);
      const show = await runCli(['dlq', 'show', id], env);
      assert.equal(show.code, 0, show.stderr);
      for (const output of [list.stdout, show.stdout]) {
        for (const raw of ['\u009b', '\r', '\u007f', '\u202e']) assert.ok(!output.includes(raw), `no raw ${JSON.stringify(raw)} in:\n${output}`);
        assert.match(output, /\\x9b31mred\\x9b0m\\rrewritten/, 'the reason shows its escapes');
      }
      assert.match(show.stdout, /\\x9b2J\\x9bH\\rFAKE PROMPT\$ \\u202eevil\\x7f/, 'the body shows its escapes');
      const json = await runCli(['dlq', 'show', id, '--json'], env);
      assert.equal(json.code, 0, json.stderr);
      for (const raw of ['\u009b', '\r', '\u007f', '\u202e']) assert.ok(!json.stdout.includes(raw), `no raw ${JSON.stringify(raw)} in --json:\n${json.stdout}`);
      assert.ok(json.stdout.includes(JSON.stringify(HOSTILE_REASON).replace(/[\u007f-\u009f\u202e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)), `the reason round-trips as JSON escapes:\n${json.stdout}`);
    } finally {
      sqs.destroy();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
