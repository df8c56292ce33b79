import type { Command } from 'commander';
import { createCheckedTemporalClient } from '../../app/clients';
import type { DedupHorizonReport } from '../../bridge/dedup-horizon';
import { toErrorMessage } from '../../errors/error-message';
import { parseSince } from '../../ops/cascade-filters';
import type { DeadLetterQueue } from '../../ops/dead-letters';
import { type CascadeStatus, type WaitingMessages, type WaitingQueueStatus, isStatusError, readCascadeStatus } from '../../ops/queue-status';
import { setTimeout as delay } from 'node:timers/promises';
import { type GlobalOptions, printResult, toJsonText } from '../cli-context';
import { runInterruptible } from '../interrupt-signal';
import { createOpsContext, toWaitingQueues } from '../ops-context';
import { parsePositiveInteger } from '../option-parsers';
import { createGrowingProgress } from '../growing-progress';
import { escapeControlCharacters, toDurationText, toTable } from '../text-format';
import { type WatchFrame, createWatchOutput } from '../watch-output';

/** `cascade status`: per route, queue depths, waiting messages, running and failed cascades, and the dedup horizon. */
export function registerStatusCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('status')
    .description(
      'per route: queue depth (visible, in flight, delayed), dead-letter and quarantined messages with the age of the oldest, running and failed cascades; and the dedup horizon check',
    )
    .option('--since <when>', 'count failed cascades closed since then only: a duration back (30m, 24h, 7d) or an ISO 8601 time')
    .option('--scan-limit <n>', 'most messages read from each of the dead-letter and quarantine queues to attribute them to routes', parsePositiveInteger, 1000)
    .option('--trouble-scan-limit <n>', 'most running cascades of each route described to find stuck and retrying ones', parsePositiveInteger, 1000)
    .option('--json', 'print the result as JSON (with --watch: one JSON line per change)')
    .option('-w, --watch', 'keep refreshing the view until Ctrl-C: redrawn in place on a terminal, otherwise written again whenever it changes')
    .option('--interval <seconds>', 'with --watch, seconds between refreshes', parsePositiveInteger, 5)
    .action(async (options: StatusOptions) => {
      const failedSince = options.since === undefined ? undefined : parseSince(options.since);
      await runInterruptible(async (signal) => {
        const ops = createOpsContext(global(), signal);
        const client = await createCheckedTemporalClient(ops.config, { readOnly: true });
        const waitingQueues: DeadLetterQueue[] = [
          ...(ops.config.deadLetterQueueUrl ? toWaitingQueues(ops.config, 'dead-letter') : []),
          ...(ops.config.quarantineQueueUrl ? toWaitingQueues(ops.config, 'quarantine') : []),
        ];
        const missing = [
          ...(ops.config.deadLetterQueueUrl ? [] : ['CASCADE_DEAD_LETTER_QUEUE_URL is not set: dead letters are not counted']),
          ...(ops.config.quarantineQueueUrl ? [] : ['CASCADE_QUARANTINE_QUEUE_URL is not set: quarantined messages are not counted']),
          ...(ops.config.routes.length === 0 ? ['no route queue URL is set (CASCADE_QUEUE_URL_<ROUTE>): run `cascade stack up` or set them'] : []),
        ];
        const readStatus = async (showProgress: boolean): Promise<CascadeStatus> => {
          const { progress, expect } = createGrowingProgress('reading');
          try {
            const status = await readCascadeStatus({
              sqs: ops.sqs,
              client,
              namespace: ops.config.temporal.namespace,
              routes: ops.config.routes,
              waitingQueues,
              resolver: ops.resolver,
              scanLimit: options.scanLimit,
              troubleScanLimit: options.troubleScanLimit,
              ...(failedSince ? { failedSince } : {}),
              signal,
              ...(showProgress ? { onExpect: expect, onPage: (count: number) => progress.increment(count) } : {}),
            });
            return { ...status, notes: [...missing, ...status.notes] };
          } finally {
            progress.stop();
          }
        };
        try {
          if (options.watch) {
            await watchStatus(readStatus, options, signal);
            return;
          }
          const result = await readStatus(true);
          printResult(result, options.json, toStatusText);
          if (hasErrors(result) || signal.aborted) process.exitCode = 1;
        } finally {
          ops.close();
          await client.connection.close();
        }
      });
    });
}

interface StatusOptions {
  since?: string;
  scanLimit: number;
  troubleScanLimit: number;
  json?: boolean;
  watch?: boolean;
  interval: number;
}

/**
 * `cascade status --watch`: reads the status every `--interval` seconds until Ctrl-C.
 * A read that fails shows its error in the view and the watch goes on; Ctrl-C ends it with exit code 0.
 */
async function watchStatus(readStatus: (showProgress: boolean) => Promise<CascadeStatus>, options: StatusOptions, signal: AbortSignal): Promise<void> {
  const output = createWatchOutput(process.stdout);
  const footer = `Refreshing every ${options.interval} s; Ctrl-C to stop.`;
  while (!signal.aborted) {
    const shown = await readStatus(false).then(
      (status): WatchFrame => {
        const timeless = { ...status, generatedAt: '' };
        return options.json
          ? { text: toJsonText(status), key: toJsonText(timeless) }
          : { text: escapeControlCharacters(toStatusText(status)), key: toStatusText(timeless), footer };
      },
      (error: unknown): WatchFrame => {
        const message = toErrorMessage(error);
        return { text: escapeControlCharacters(`Cascade status not read at ${new Date().toISOString()}: ${message}`), key: message, footer };
      },
    );
    if (signal.aborted) break;
    output.show(shown);
    await delay(options.interval * 1000, undefined, { signal }).catch(() => undefined);
  }
}

function hasErrors(status: CascadeStatus): boolean {
  return (
    status.routes.some((r) => isStatusError(r.queue) || isStatusError(r.cascades)) ||
    status.waitingQueues.some((q) => isStatusError(q.depth) || q.readError !== undefined) ||
    status.dedupHorizon.namespaceError !== undefined
  );
}

function toWaitingText(waiting: WaitingMessages): [string, string] {
  return [String(waiting.count), toDurationText(waiting.oldestAgeSeconds)];
}

function toStatusText(status: CascadeStatus): string {
  const failedLabel = status.failedSince === undefined ? 'failed' : `failed since ${status.failedSince}`;
  const rows = status.routes.map((r) => {
    const queue = isStatusError(r.queue) ? ['error', '', ''] : [String(r.queue.visible), String(r.queue.inFlight), String(r.queue.delayed)];
    const cascades = isStatusError(r.cascades)
      ? ['error', 'error', 'error', 'error']
      : [String(r.cascades.running), `${r.cascades.stuck}${r.cascades.scanComplete ? '' : '+?'}`, `${r.cascades.retrying}${r.cascades.scanComplete ? '' : '+?'}`, String(r.cascades.failed)];
    return [r.route, ...queue, ...toWaitingText(r.deadLetters), ...toWaitingText(r.quarantined), ...cascades];
  });
  const lines = [
    `Cascade status, namespace ${status.namespace}, at ${status.generatedAt}`,
    '',
    toTable(['route', 'visible', 'in flight', 'delayed', 'dead letters', 'oldest', 'quarantined', 'oldest', 'running', 'stuck', 'retrying', failedLabel], rows),
    '',
    ...status.waitingQueues.map(toWaitingQueueText),
    ...status.routes.flatMap((r) => [
      ...(isStatusError(r.queue) ? [`${r.route}: queue depth not read: ${r.queue.error}`] : []),
      ...(isStatusError(r.cascades) ? [`${r.route}: cascades not counted: ${r.cascades.error}`] : []),
      ...(!isStatusError(r.cascades) && r.cascades.troubleScanError !== undefined ? [`${r.route}: stuck and retrying not counted: ${r.cascades.troubleScanError}`] : []),
      ...(!isStatusError(r.cascades) && !r.cascades.scanComplete && r.cascades.troubleScanError === undefined
        ? [`${r.route}: stuck and retrying counted among the first ${r.cascades.scanned} running cascades only (--trouble-scan-limit)`]
        : []),
    ]),
    ...(status.routes.some((r) => !isStatusError(r.cascades) && (r.cascades.stuck > 0 || r.cascades.retrying > 0))
      ? ['', 'Stuck: running, but the workflow task fails on every attempt (see `cascade failed`). Retrying: the current step has failed 3+ times (see `cascade show <id>`).']
      : []),
    ...toDedupHorizonText(status.dedupHorizon),
    '',
    ...status.notes.map((note) => `Note: ${note}`),
  ];
  return lines.join('\n');
}

function toWaitingQueueText(queue: WaitingQueueStatus): string {
  const depth = isStatusError(queue.depth)
    ? `depth not read (${queue.depth.error})`
    : `${queue.depth.visible + queue.depth.inFlight + queue.depth.delayed} message(s) (${queue.depth.visible} visible, ${queue.depth.inFlight} in flight, ${queue.depth.delayed} delayed)`;
  const read = queue.readError !== undefined ? `not read: ${queue.readError}` : `read ${queue.read}${queue.complete ? '' : ' (not all: --scan-limit or messages in flight)'}`;
  const unattributed = queue.unattributed.count > 0 ? `; ${queue.unattributed.count} of no configured route (oldest ${toDurationText(queue.unattributed.oldestAgeSeconds)})` : '';
  return `${queue.kind} queue ${queue.queueUrl}: ${depth}; ${read}${unattributed}`;
}

function toDedupHorizonText(report: DedupHorizonReport): string[] {
  if (report.namespaceRetentionSeconds === undefined) return [`Dedup horizon: not checked: ${report.namespaceError ?? 'namespace retention unknown'}`];
  const lines = [`Dedup horizon: namespace ${report.namespace} keeps closed runs ${toDurationText(report.namespaceRetentionSeconds)}`];
  const unchecked = new Map<string, string[]>();
  for (const queue of report.queues) {
    if (!queue.checked) unchecked.set(queue.reason, [...(unchecked.get(queue.reason) ?? []), queue.queueUrl]);
    else if (queue.unsafe) {
      lines.push(
        `  UNSAFE ${queue.queueUrl}: keeps messages ${toDurationText(queue.queueRetentionSeconds)}, longer than the namespace keeps closed runs; a message redelivered after that could run its cascade again (raise the namespace retention or lower the queue's MessageRetentionPeriod)`,
      );
    } else lines.push(`  ok ${queue.queueUrl}: keeps messages ${toDurationText(queue.queueRetentionSeconds)}`);
  }
  for (const [reason, urls] of unchecked) lines.push(`  not checked for ${urls.length === 1 ? urls[0] ?? '' : `${urls.length} queues`}: ${reason}`);
  return lines;
}
