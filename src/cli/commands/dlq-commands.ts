import { type Command, Option } from 'commander';
import { ConfigError } from '../../config';
import { type DeadLetter, type DeadLetterDetail, type DeadLetterListing, type DeadLetterQueue, findDeadLetter, listDeadLetters } from '../../ops/dead-letters';
import type { MessageSource } from '../../ops/message-source';
import { readQueueDepth, toTotalDepth } from '../../ops/queue-depth';
import { type RedriveDestination, type RedriveEntry, type RedriveSummary, redriveDeadLetters } from '../../ops/redrive';
import { ROUTE_NAMES, type RouteName, toQueueUrlVariable } from '../../routes/route-names';
import { type GlobalOptions, printResult } from '../cli-context';
import { confirmAction } from '../confirm';
import { parsePositiveInteger } from '../option-parsers';
import { runInterruptible } from '../interrupt-signal';
import { type OpsContext, type QueueChoice, createOpsContext, createQueueOption, toWaitingQueues } from '../ops-context';
import { createGrowingProgress } from '../growing-progress';
import { toDurationText, toTable } from '../text-format';

/** Runs `work` with the ops context and an interrupt signal, closing both afterwards. */
async function withOps<T>(global: GlobalOptions, work: (ops: OpsContext, signal: AbortSignal) => Promise<T>): Promise<T> {
  return runInterruptible(async (signal) => {
    const ops = createOpsContext(global, signal);
    try {
      return await work(ops, signal);
    } finally {
      ops.close();
    }
  });
}

/** `cascade dlq list|show|redrive`: messages waiting in the dead-letter and quarantine queues. */
export function registerDlqCommands(program: Command, global: () => GlobalOptions): void {
  const dlq = program
    .command('dlq')
    .description('messages waiting for an operator: the dead-letter queue (failed maxReceiveCount times) and the quarantine queue (rejected by their route)');

  dlq
    .command('list')
    .description('list waiting messages with their reason, source queue, route, receive count and age, without consuming them')
    .addOption(createQueueOption())
    .option('--limit <n>', 'most messages read from each queue', parsePositiveInteger, 100)
    .option('--json', 'print the result as JSON')
    .action(async (options: { queue: QueueChoice; limit: number; json?: boolean }) => {
      await withOps(global(), async (ops, signal) => {
        const queues = toWaitingQueues(ops.config, options.queue);
        const { progress, expect } = createGrowingProgress('reading');
        let listings: DeadLetterListing[];
        try {
          listings = await listDeadLetters({
            sqs: ops.sqs,
            queues,
            resolver: ops.resolver,
            limit: options.limit,
            signal,
            onDepth: (_queue, depth) => expect(depth),
            onPage: (_queue, read) => progress.increment(read),
          });
        } finally {
          progress.stop();
        }
        printResult({ queues: listings }, options.json, (r) => r.queues.map(toListingText).join('\n\n'));
        if (signal.aborted) process.exitCode = 1;
      });
    });

  dlq
    .command('show')
    .description('one waiting message in full (body, message and system attributes), without consuming it')
    .argument('<messageId>', 'its message ID in the waiting queue (a quarantined message also by its ID on the route queue)')
    .addOption(createQueueOption())
    .option('--json', 'print the result as JSON')
    .action(async (messageId: string, options: { queue: QueueChoice; json?: boolean }) => {
      await withOps(global(), async (ops, signal) => {
        const queues = toWaitingQueues(ops.config, options.queue);
        const { progress, expect } = createGrowingProgress('searching');
        let detail: DeadLetterDetail;
        try {
          detail = await findDeadLetter({
            sqs: ops.sqs,
            queues,
            resolver: ops.resolver,
            messageId,
            signal,
            onDepth: (_queue, depth) => expect(depth),
            onPage: (_queue, read) => progress.increment(read),
          });
        } finally {
          progress.stop();
        }
        printResult(detail, options.json, toDetailText);
      });
    });

  dlq
    .command('redrive')
    .description(
      'send waiting messages back to the queue they came from (body and message attributes kept, the cascade.* quarantine annotations dropped), deleting each only once its copy was accepted',
    )
    .addOption(createQueueOption())
    .option('--max <n>', 'most messages to read (and redrive) over all queues; default: all', parsePositiveInteger)
    .addOption(new Option('--to <route>', 'where messages of unknown source go; messages of known source always go back to it').choices([...ROUTE_NAMES]))
    .option('--dry-run', 'show where each message would go; send and delete nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { queue: QueueChoice; max?: number; to?: RouteName; dryRun?: boolean; yes?: boolean; json?: boolean }) => {
      await withOps(global(), async (ops, signal) => {
        const queues = toWaitingQueues(ops.config, options.queue);
        const fallback = options.to === undefined ? undefined : toFallback(ops, options.to);
        if (!options.dryRun) {
          const confirmed = await confirmAction(await describeRedrive(ops, queues, options.max, fallback, signal), { yes: options.yes });
          if (!confirmed) {
            process.stderr.write('Not confirmed: nothing was redriven.\n');
            process.exitCode = 1;
            return;
          }
        }
        const { progress, expect } = createGrowingProgress(options.dryRun ? 'planning' : 'redriving');
        let summary: RedriveSummary;
        try {
          summary = await redriveDeadLetters({
            sqs: ops.sqs,
            queues,
            resolver: ops.resolver,
            ...(fallback ? { fallback } : {}),
            ...(options.max === undefined ? {} : { max: options.max }),
            dryRun: options.dryRun ?? false,
            signal,
            onDepth: (_queue, expected) => expect(expected),
            onProgress: (handled) => progress.increment(handled),
          });
        } finally {
          progress.stop();
        }
        printResult(summary, options.json, toRedriveText);
        if (summary.failed > 0 || summary.interrupted) process.exitCode = 1;
      });
    });
}

function toFallback(ops: OpsContext, route: RouteName): RedriveDestination {
  const queueUrl = ops.resolver.queueOf(route);
  if (queueUrl === undefined) {
    throw new ConfigError([{ variable: toQueueUrlVariable(route), message: `is needed by --to ${route}: set it, or run \`cascade stack up\` for the local one` }]);
  }
  return { queueUrl, route };
}

async function describeRedrive(ops: OpsContext, queues: readonly DeadLetterQueue[], max: number | undefined, fallback: RedriveDestination | undefined, signal: AbortSignal): Promise<string> {
  const counts = await Promise.all(queues.map(async (q) => `the ${q.kind} queue (about ${toTotalDepth(await readQueueDepth(ops.sqs, q.queueUrl, signal))})`));
  const target = fallback ? `their source queues (${fallback.route ?? fallback.queueUrl} where unknown)` : 'their source queues';
  return `redrive ${max === undefined ? 'every message' : `up to ${max} message(s)`} of ${counts.join(' and ')} back to ${target}`;
}

function toSourceText(source: MessageSource): string {
  return source.known ? toQueueName(source.queueUrl) : `unknown: ${source.reason}`;
}

function toQueueName(queueUrl: string): string {
  return queueUrl.split('/').pop() ?? queueUrl;
}

function toListingText(listing: DeadLetterListing): string {
  const header = `${listing.queue} queue ${listing.queueUrl}: about ${listing.approximateDepth} message(s)`;
  const lines = [header];
  if (listing.messages.length > 0) {
    lines.push(
      toTable(
        ['message ID', 'route', 'source', 'receives', 'age', 'reason'],
        listing.messages.map((m: DeadLetter) => [m.messageId, m.route ?? '?', toSourceText(m.source), String(m.receiveCount), toDurationText(m.ageSeconds), m.reason]),
      ),
    );
  }
  if (listing.truncated) lines.push(`showing the first ${listing.messages.length}; pass --limit to read more`);
  for (const failure of listing.releaseFailures) lines.push(`warning: ${failure.messageId} stays hidden until its visibility timeout ends (${failure.reason})`);
  return lines.join('\n');
}

function toDetailText(detail: DeadLetterDetail): string {
  const attributes = Object.entries(detail.messageAttributes).map(([name, a]) => `  ${name} (${a.dataType}): ${a.stringValue ?? `base64:${a.binaryBase64 ?? ''}`}`);
  const system = Object.entries(detail.systemAttributes).map(([name, value]) => `  ${name}: ${value}`);
  return [
    `message ${detail.messageId} in the ${detail.queue} queue ${detail.queueUrl}`,
    `reason:        ${detail.reason}`,
    `route:         ${detail.route ?? 'unknown'}`,
    `source:        ${detail.source.known ? `${detail.source.queueUrl} (from ${detail.source.evidence})` : `unknown: ${detail.source.reason}`}`,
    `receive count: ${detail.receiveCount}`,
    `sent at:       ${detail.sentAt ?? 'unknown'} (${toDurationText(detail.ageSeconds)} ago)`,
    ...(detail.sourceMessageId === undefined ? [] : [`source message ID: ${detail.sourceMessageId}`]),
    ...(detail.rejectedAt === undefined ? [] : [`rejected at:   ${detail.rejectedAt}`]),
    'message attributes:',
    ...(attributes.length > 0 ? attributes : ['  (none)']),
    'system attributes:',
    ...system,
    'body:',
    toBodyText(detail.body),
  ].join('\n');
}

function toBodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    // Not JSON: shown as it is.
    return body;
  }
}

function toRedriveText(summary: RedriveSummary): string {
  const lines: string[] = [];
  if (summary.dryRun) {
    const planned = summary.entries.filter((e) => e.outcome === 'would-redrive');
    if (planned.length > 0) {
      lines.push(toTable(['message ID', 'from', 'would go to', 'route', 'why it waits'], planned.map((e) => [e.messageId, e.queue, e.destination ? toQueueName(e.destination.queueUrl) : '', e.destination?.route ?? '?', e.why])), '');
    }
    lines.push(`dry run: would redrive ${summary.wouldRedrive}, skip ${summary.skipped}; nothing was changed`);
  } else {
    lines.push(`redriven ${summary.redriven}, skipped ${summary.skipped}, failed ${summary.failed}`);
  }
  lines.push(...toReasonLines('skipped', summary.entries.filter((e) => e.outcome === 'skipped')));
  lines.push(...toReasonLines('failed', summary.entries.filter((e) => e.outcome === 'failed')));
  if (summary.interrupted) lines.push('interrupted: the messages not handled yet stay where they are');
  for (const failure of summary.releaseFailures) lines.push(`warning: ${failure.messageId} stays hidden until its visibility timeout ends (${failure.reason})`);
  return lines.join('\n');
}

function toReasonLines(label: string, entries: readonly RedriveEntry[]): string[] {
  if (entries.length === 0) return [];
  return [`${label}:`, ...entries.map((e) => `  ${e.messageId} (${e.queue}): ${e.reason ?? ''}`)];
}
