import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { createActivities } from '../../activities';
import { loadConfig } from '../../src/config';
import { createPrismaClient } from '../../src/db/client';

const HISTORIES_DIR = path.join(__dirname, '..', '..', '..', 'test', 'replay', 'histories');

/** The activity types scheduled in the recorded histories (regular activities; local ones are named in markers). */
function recordedActivityTypes(): Set<string> {
  const types = new Set<string>();
  for (const dir of fs.readdirSync(HISTORIES_DIR)) {
    for (const file of fs.readdirSync(path.join(HISTORIES_DIR, dir)).filter((name) => name.endsWith('.json'))) {
      const text = fs.readFileSync(path.join(HISTORIES_DIR, dir, file), 'utf8');
      for (const match of text.matchAll(/"activityType"\s*:\s*\{\s*"name"\s*:\s*"([^"]+)"/g)) types.add(match[1] ?? '');
    }
  }
  return types;
}

describe('activity registration', () => {
  it('when the worker registers its activities, then every activity type of the recorded histories and the entity-deleted local activities are among them', async () => {
    const config = loadConfig({}, ['client']);
    const db = createPrismaClient('postgresql://cascade@127.0.0.1:1/never-connected');
    const clients = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
    try {
      const registered = new Set(Object.keys(createActivities({ db, sqs: new SQSClient(clients), s3: new S3Client(clients), sns: new SNSClient(clients), config })));
      const recorded = recordedActivityTypes();
      assert.ok(recorded.has('publishArchiveEvents'), 'the histories schedule the publishing activity');
      const expected = [...recorded, 'archiveDocumentsPage', 'summarizeArchive'];
      assert.deepEqual(expected.filter((name) => !registered.has(name)), []);
    } finally {
      await db.$disconnect();
    }
  });
});
