import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueueConfigError, loadQueueConfig, toElasticMqConfig, toQueueDefinitions } from '../../src/stack';
import { toQueueUrlVariable } from '../../src/routes/route-names';

describe('queue config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cascade-queue-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a route name is kebab-case, then its queue URL variable is upper snake case', () => {
    assert.equal(toQueueUrlVariable('account-events'), 'CASCADE_QUEUE_URL_ACCOUNT_EVENTS');
    assert.equal(toQueueUrlVariable('email-archive'), 'CASCADE_QUEUE_URL_EMAIL_ARCHIVE');
  });

  it('when the shipped config is loaded, then every route redrives to the dead-letter queue', () => {
    const config = loadQueueConfig();
    const definitions = toQueueDefinitions(config);
    const routes = definitions.filter((q) => q.kind === 'route');
    assert.ok(routes.length > 0);
    assert.ok(routes.every((q) => q.deadLetter?.queueName === config.deadLetterQueue));
    assert.deepEqual(definitions.filter((q) => q.kind !== 'route').map((q) => q.name), [config.quarantineQueue, config.deadLetterQueue, config.destinations.documentEventsQueue]);
    assert.deepEqual(definitions.filter((q) => q.fifo).map((q) => [q.name, q.envName, q.deadLetter]), [[config.destinations.documentEventsQueue, 'CASCADE_DOCUMENT_EVENTS_QUEUE_URL', undefined]]);
    assert.match(toElasticMqConfig(config, 9999), /"cascade-document-events\.fifo" \{[^}]*fifo = true\s*contentBasedDeduplication = false/);
  });

  it('when a route overrides maxReceiveCount, then the ElasticMQ config uses the override', () => {
    const config = { ...loadQueueConfig(), routes: { tasks: { queue: 'cascade-tasks', maxReceiveCount: 9 } } };
    const hocon = toElasticMqConfig(config, 9999);
    assert.match(hocon, /"cascade-tasks" \{[^}]*deadLettersQueue \{\s*name = "cascade-dead-letter"\s*maxReceiveCount = 9/);
    assert.match(hocon, /node-address \{ protocol = http, host = "127.0.0.1", port = 9999/);
  });

  it('when two entries share a queue and a name is invalid, then loading fails naming the file and both problems', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        deadLetterQueue: 'dlq',
        quarantineQueue: 'dlq',
        maxReceiveCount: 5,
        visibilityTimeoutSeconds: 30,
        messageRetentionSeconds: 345600,
        routes: { 'account-events': { queue: 'has space' } },
        destinations: { documentEventsQueue: 'documents.fifo', auditTopic: 'audit', emailArchiveBucket: 'emails-bucket' },
      }),
    );
    assert.throws(() => loadQueueConfig(file), (error: unknown) => {
      assert.ok(error instanceof QueueConfigError);
      assert.equal(error.file, file);
      assert.match(error.message, /"dlq" is used by both deadLetterQueue and quarantineQueue/);
      assert.match(error.message, /routes\.account-events\.queue|queue name/);
      return true;
    });
  });

  it('when the file is missing, then loading fails with a QueueConfigError naming it', () => {
    const file = path.join(dir, 'missing.json');
    assert.throws(() => loadQueueConfig(file), (error: unknown) => error instanceof QueueConfigError && error.message.includes(file));
  });
});
