import assert from 'node:assert/strict';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { NO_QUEUE_RETENTION, checkDedupHorizon, readDedupHorizon } from '../../src/bridge/dedup-horizon';
import { loadConfig } from '../../src/config';

/** ElasticMQ reports no MessageRetentionPeriod, so the queue side is injected; Temporal is the real dev server. */
function sqsReportingRetention(seconds: string | undefined): SQSClient {
  return { send: async () => ({ Attributes: seconds === undefined ? {} : { MessageRetentionPeriod: seconds } }) } as unknown as SQSClient;
}

describe('dedup horizon check', function () {
  this.timeout(30_000);
  let connection: Connection;
  let client: Client;
  const config = () => loadConfig(process.env, ['client']);

  before(async () => {
    connection = await Connection.connect({ address: config().temporal.address });
    client = new Client({ connection, namespace: config().temporal.namespace });
  });
  after(async () => {
    await connection?.close();
  });

  function capture() {
    const lines: Array<{ msg: string; unsafe?: boolean }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) });
    return { lines, logger };
  }

  it('when the queue keeps messages longer than the namespace keeps closed runs, then it warns', async () => {
    const { lines, logger } = capture();
    const findings = await checkDedupHorizon({ client, sqs: sqsReportingRetention('1209600'), namespace: config().temporal.namespace, queueUrls: ['q'], logger });
    assert.equal(findings.length, 1);
    assert.ok((findings[0]?.namespaceRetentionSeconds ?? 0) > 0, 'the namespace retention was read from Temporal');
    assert.ok((findings[0]?.namespaceRetentionSeconds ?? 0) < 1_209_600);
    assert.equal(findings[0]?.unsafe, true);
    assert.ok(lines.some((l) => l.msg.startsWith('dedup horizon: the namespace retains closed workflows for less time')));
  });

  it('when the queue keeps messages for less time than the namespace retention, then it is safe and silent', async () => {
    const { lines, logger } = capture();
    const findings = await checkDedupHorizon({ client, sqs: sqsReportingRetention('60'), namespace: config().temporal.namespace, queueUrls: ['q'], logger });
    assert.equal(findings[0]?.unsafe, false);
    assert.equal(lines.filter((l) => l.msg.startsWith('dedup horizon:')).length, 0);
  });

  it('when the queue reports no retention, then the check says it was skipped', async () => {
    const { lines, logger } = capture();
    const findings = await checkDedupHorizon({ client, sqs: sqsReportingRetention(undefined), namespace: config().temporal.namespace, queueUrls: ['q'], logger });
    assert.deepEqual(findings, []);
    assert.ok(lines.some((l) => l.msg.includes('reports no MessageRetentionPeriod')));
  });

  it('when read as data, then each queue is compared or says why it was not', async () => {
    const retentions: Record<string, string | undefined> = { long: '1209600', short: '60', silent: undefined };
    const sqs = {
      send: async (command: { input: { QueueUrl?: string } }) => {
        const url = command.input.QueueUrl ?? '';
        if (url === 'broken') throw new Error('AccessDenied');
        const seconds = retentions[url];
        return { Attributes: seconds === undefined ? {} : { MessageRetentionPeriod: seconds } };
      },
    } as unknown as SQSClient;
    const report = await readDedupHorizon({ client, sqs, namespace: config().temporal.namespace, queueUrls: ['long', 'short', 'silent', 'broken'] });
    const retention = report.namespaceRetentionSeconds ?? 0;
    assert.ok(retention > 60 && retention < 1_209_600);
    assert.deepEqual(report.queues, [
      { checked: true, queueUrl: 'long', queueRetentionSeconds: 1_209_600, namespaceRetentionSeconds: retention, unsafe: true },
      { checked: true, queueUrl: 'short', queueRetentionSeconds: 60, namespaceRetentionSeconds: retention, unsafe: false },
      { checked: false, queueUrl: 'silent', reason: NO_QUEUE_RETENTION },
      { checked: false, queueUrl: 'broken', reason: 'GetQueueAttributes failed: AccessDenied' },
    ]);
  });

  it('when the namespace does not exist, then the report says so for every queue', async () => {
    const report = await readDedupHorizon({ client, sqs: sqsReportingRetention('60'), namespace: `missing-${Date.now()}`, queueUrls: ['q'] });
    assert.equal(report.namespaceRetentionSeconds, undefined);
    assert.match(report.namespaceError ?? '', /could not describe the Temporal namespace/);
    assert.deepEqual(report.queues.map((q) => q.checked), [false]);
  });
});
