import fs from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { createSqsClient } from '../../app/clients';
import { sendBodies } from '../../producer/batch-sender';
import { SQS_MAX_PAYLOAD_BYTES } from '../../producer/task-bodies';
import { isRouteName, ROUTE_NAMES, toQueueUrlVariable } from '../../routes/route-names';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';
import { applyStackEnvironment } from '../stack-session';

/**
 * Splits input into message bodies: a JSON array gives one message per
 * element (strings as they are, other values as JSON); anything else gives
 * one message per non-empty line.
 */
export function toMessageBodies(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed)) return parsed.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    } catch {
      // Not a JSON array: each line is a message (a line may itself start with "[").
    }
  }
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

/** Result of sending bodies to a queue. */
export interface SendSummary {
  readonly queueUrl: string;
  readonly sent: number;
  readonly failed: Array<{ index: number; reason: string }>;
}

/**
 * Sends bodies as they are, in order, with `SendMessageBatch` (ten entries
 * and 1 MiB a call); refused entries and an unreachable queue are reported
 * per body, not thrown.
 */
export async function sendMessageBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<SendSummary> {
  const result = await sendBodies(sqs, queueUrl, bodies, { maxBatchBytes: SQS_MAX_PAYLOAD_BYTES });
  return { queueUrl, sent: result.sent.length, failed: result.unsent.map(({ index, reason }) => ({ index, reason })) };
}

/** `cascade send <route> [file|-]`. */
export function registerSendCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('send')
    .description("put raw message bodies on a route's queue: one per line, or a JSON array")
    .argument('<route>', `route name (${ROUTE_NAMES.join(', ')})`)
    .argument('[file]', 'file to read, or - for standard input', '-')
    .option('--json', 'print the result as JSON')
    .action(async (route: string, file: string, options: { json?: boolean }) => {
      if (!isRouteName(route)) throw new Error(`unknown route "${route}"; known routes: ${ROUTE_NAMES.join(', ')}`);
      const { config } = createCliContext(global(), ['client'], applyStackEnvironment());
      const queue = config.routes.find((r) => r.route === route);
      if (!queue) throw new Error(`no queue URL for route ${route}: set ${toQueueUrlVariable(route)} or run \`cascade stack up\``);
      const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
      const bodies = toMessageBodies(text);
      const sqs = createSqsClient(config);
      try {
        const summary = await sendMessageBodies(sqs, queue.queueUrl, bodies);
        printResult(summary, options.json, (s) => `sent ${s.sent} message(s) to ${s.queueUrl}${s.failed.length ? `; ${s.failed.length} failed: ${s.failed.map((f) => `#${f.index} ${f.reason}`).join(', ')}` : ''}`);
        if (summary.failed.length > 0) process.exitCode = 1;
      } finally {
        sqs.destroy();
      }
    });
}
