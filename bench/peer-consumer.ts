/*
 * The peer of scenario 5: a plain in-process SQS consumer of the kind Cascade
 * replaces, built with sqs-consumer — long-poll, handle with Prisma in the
 * same process, delete. No durability beyond SQS redelivery, no dedup, no
 * history: the non-durable upper bound. Run as its own process:
 *   node dist/bench/peer-consumer.js <queueUrl>   (DATABASE_URL, AWS_* in the environment)
 * Prints "ready" on stdout once polling.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { createPrismaClient } from '../src/db/client';
import { RETIRED_GENERATION } from '../src/shared/account-event';

const [queueUrl] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
if (!queueUrl || !databaseUrl) {
  process.stderr.write('usage: peer-consumer <queueUrl> (with DATABASE_URL set)\n');
  process.exit(2);
}

const prisma = createPrismaClient(databaseUrl);
const sqs = new SQSClient({ region: process.env.AWS_REGION ?? 'us-east-1', ...(process.env.AWS_ENDPOINT_URL_SQS ? { endpoint: process.env.AWS_ENDPOINT_URL_SQS } : {}) });

const consumer = Consumer.create({
  queueUrl,
  sqs,
  batchSize: 10,
  waitTimeSeconds: 20,
  // The same tokenserver update Cascade's retireUser activity makes.
  handleMessage: async (message) => {
    const event = JSON.parse(message.Body ?? '{}') as { event?: string; uid?: string; iss?: string };
    if (event.event === 'delete' && event.uid && event.iss) {
      await prisma.user.updateMany({ where: { email: `${event.uid}@${event.iss}`, replacedAt: null }, data: { replacedAt: BigInt(Date.now()), generation: RETIRED_GENERATION } });
    }
    return message;
  },
});
consumer.on('error', (error) => process.stderr.write(`peer consumer error: ${error.message}\n`));
consumer.on('processing_error', (error) => process.stderr.write(`peer processing error: ${error.message}\n`));

const stop = (): void => {
  consumer.stop({ abort: true });
  void prisma.$disconnect().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

consumer.start();
process.stdout.write('ready\n');
