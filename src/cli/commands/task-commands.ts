import fs from 'node:fs';
import type { Command } from 'commander';
import { createSqsClient } from '../../app/clients';
import type { CascadeConfig } from '../../config';
import { type PrismaClient, createPrismaClient } from '../../db/client';
import { type TaskProducer, type TaskSendResult, createTaskProducer, flushOutbox, readQueueMaxMessageBytes, summarizeOutbox } from '../../producer';
import { toQueueUrlVariable } from '../../routes/route-names';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';
import { confirmAction } from '../confirm';
import { parsePositiveInteger } from '../option-parsers';
import { createProgress } from '../progress';
import { applyStackEnvironment } from '../stack-session';
import { toMessageBodies } from './send-command';
import { toErrorMessage } from '../../errors/error-message';

interface SendOptions {
  json?: boolean;
  queueUrl?: string;
}

/** Parses JSON given on the command line, naming what it was for when it is not JSON. */
function parseJsonArgument(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${toErrorMessage(error)}`, { cause: error });
  }
}

/** Events from a file's text: a JSON array of events, or one JSON event per line. */
export function toEvents(text: string): unknown[] {
  return toMessageBodies(text).map((line, index) => parseJsonArgument(line, `event #${index}`));
}

function describeResult(result: TaskSendResult, queueUrl: string): string {
  const parts = [`${result.messages} message(s): ${result.sent} sent to ${queueUrl}`];
  if (result.outboxed > 0) parts.push(`${result.outboxed} stored in the outbox (${result.outboxReason ?? 'SQS unreachable'}); \`cascade outbox flush\` re-sends them`);
  if (result.failed.length > 0) parts.push(`${result.failed.length} failed: ${result.failed.map((f) => `#${f.index} ${f.reason}`).join(', ')}`);
  return parts.join('; ');
}

/** Runs `send` with a producer on the tasks queue (and the outbox when DATABASE_URL is set), then prints the result. */
async function withProducer(global: GlobalOptions, options: SendOptions, send: (producer: TaskProducer) => Promise<TaskSendResult>): Promise<void> {
  const { config } = createCliContext(global, ['client'], applyStackEnvironment());
  const queueUrl = options.queueUrl ?? toTasksQueueUrl(config);
  const sqs = createSqsClient(config);
  const db = config.databaseUrl ? createPrismaClient(config.databaseUrl) : undefined;
  try {
    // Chunks fit the queue's own MaximumMessageSize when SQS says it (up to 1 MiB), else the 256 KiB every queue takes.
    const maxMessageBytes = await readQueueMaxMessageBytes(sqs, queueUrl, AbortSignal.timeout(5000));
    const producer = createTaskProducer({
      sqs,
      queueUrl,
      eventsPerMessage: config.tasks.eventsPerMessage,
      ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
      ...(db ? { outbox: db } : {}),
    });
    const result = await send(producer);
    printResult(result, options.json, (r) => describeResult(r, queueUrl));
    if (result.failed.length > 0) process.exitCode = 1;
  } finally {
    sqs.destroy();
    await db?.$disconnect();
  }
}

function toTasksQueueUrl(config: CascadeConfig): string {
  const queue = config.routes.find((r) => r.route === 'tasks');
  if (!queue) throw new Error(`no queue URL for the tasks route: set ${toQueueUrlVariable('tasks')}, pass --queue-url, or run \`cascade stack up\``);
  return queue.queueUrl;
}

/** `cascade send-task`, `cascade send-events` and `cascade outbox flush`: the tasks route's producer side. */
export function registerTaskCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('send-task')
    .description('send one task {action, data} to the tasks queue (to the outbox when SQS is unreachable and DATABASE_URL is set)')
    .argument('<action>', 'the task action, e.g. event')
    .argument('[data-json]', 'the task data as JSON, or - to read it from standard input; omitted: no data')
    .option('--queue-url <url>', 'queue to send to (default: CASCADE_QUEUE_URL_TASKS)')
    .option('--json', 'print the result as JSON')
    .action(async (action: string, dataJson: string | undefined, options: SendOptions) => {
      const text = dataJson === '-' ? fs.readFileSync(0, 'utf8') : dataJson;
      const data = text === undefined ? undefined : parseJsonArgument(text, 'data-json');
      await withProducer(global(), options, (producer) => producer.sendTask(action, data));
    });

  program
    .command('send-events')
    .description('send incentive events {userIds, eventName, eventMeta} as event tasks, CASCADE_TASK_EVENTS_PER_MESSAGE per message')
    .argument('[file]', 'a JSON array of events or one JSON event per line; - for standard input', '-')
    .option('--queue-url <url>', 'queue to send to (default: CASCADE_QUEUE_URL_TASKS)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: SendOptions) => {
      const events = toEvents(file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8'));
      await withProducer(global(), options, (producer) => producer.sendEvents(events));
    });

  const outbox = program.command('outbox').description("the task producer's outbox (messages SQS could not take)");
  outbox
    .command('flush')
    .description('re-send outbox messages in order, removing each once sent (the cascade/outbox-flush schedule does the same)')
    .option('--max-messages <n>', 'most messages to re-send', parsePositiveInteger, 10_000)
    .option('--dry-run', 'show what the outbox holds per queue, send nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean; maxMessages: number; dryRun?: boolean; yes?: boolean }) => {
      const { config } = createCliContext(global(), ['client'], applyStackEnvironment());
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required: the outbox is a table (`cascade stack env` prints the local one)');
      const db: PrismaClient = createPrismaClient(config.databaseUrl);
      const sqs = createSqsClient(config);
      try {
        const waiting = await summarizeOutbox(db);
        const total = waiting.reduce((sum, q) => sum + q.messages, 0);
        if (options.dryRun || total === 0) {
          printResult({ queues: waiting, messages: total }, options.json, (r) =>
            r.messages === 0
              ? 'the outbox is empty'
              : [...r.queues.map((q) => `${q.queueUrl}: ${q.messages} message(s), oldest stored ${q.oldest.toISOString()}, up to ${q.maxAttempts} attempt(s)`), `would re-send up to ${Math.min(r.messages, options.maxMessages)} message(s)`].join('\n'),
          );
          return;
        }
        if (!(await confirmAction(`re-send up to ${Math.min(total, options.maxMessages)} outbox message(s)`, { yes: options.yes }))) {
          process.stderr.write('aborted: nothing was sent\n');
          process.exitCode = 1;
          return;
        }
        const progress = createProgress({ label: 're-sending', total: Math.min(total, options.maxMessages) });
        let result;
        try {
          result = await flushOutbox({ db, sqs }, { maxMessages: options.maxMessages, onSent: (count) => progress.increment(count) });
        } finally {
          progress.stop();
        }
        printResult(result, options.json, (r) =>
          [`re-sent ${r.sent} message(s); ${r.remaining} left in the outbox`, ...r.failures.map((f) => `${f.queueUrl}: ${f.error}`)].join('\n'),
        );
        if (result.failures.length > 0) process.exitCode = 1;
      } finally {
        sqs.destroy();
        await db.$disconnect();
      }
    });
}
