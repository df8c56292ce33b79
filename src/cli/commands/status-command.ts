import type { Command } from 'commander';
import { createCheckedTemporalClient } from '../../app/clients';
import type { DedupHorizonReport } from '../../bridge/dedup-horizon';
import { parseSince } from '../../ops/cascade-filters';
import type { DeadLetterQueue } from '../../ops/dead-letters';
import { type CascadeStatus, type WaitingMessages, type WaitingQueueStatus, isStatusError, readCascadeStatus } from '../../ops/queue-status';
import { type GlobalOptions, printResult } from '../cli-context';
import { runInterruptible } from '../interrupt-signal';
import { createOpsContext, toWaitingQueues } from '../ops-context';
import { parsePositiveInteger } from '../option-parsers';
import { createGrowingProgress } from '../growing-progress';
import { toDurationText, toTable } from '../text-format';

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
    .option('--json', 'print the result as JSON')
    .action(async (options: { since?: string; scanLimit: number; troubleScanLimit: number; json?: boolean }) => {
      const failedSince = options.since === undefined ? undefined : parseSince(options.since);
      await runInterruptible(async (signal) => {
        const ops = createOpsContext(global(), signal);
        const client = await createCheckedTemporalClient(ops.config, { readOnly: true });
        const waitingQueues: DeadLetterQueue[] = [
          ...(ops.config.deadLetterQueueUrl ? toWaitingQueues(ops.config, 'dead-letter') : []),
          ...(ops.config.quarantineQueueUrl ? toWaitingQueues(ops.config, 'quarantine') : []),
        ];
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
            onExpect: expect,
            onPage: (count) => progress.increment(count),
          });
          progress.stop();
          const missing = [
            ...(ops.config.deadLetterQueueUrl ? [] : ['CASCADE_DEAD_LETTER_QUEUE_URL is not set: dead letters are not counted']),
            ...(ops.config.quarantineQueueUrl ? [] : ['CASCADE_QUARANTINE_QUEUE_URL is not set: quarantined messages are not counted']),
            ...(ops.config.routes.length === 0 ? ['no route queue URL is set (CASCADE_QUEUE_URL_<ROUTE>): run `cascade stack up` or set them'] : []),
          ];
          const result: CascadeStatus = { ...status, notes: [...missing, ...status.notes] };
          printResult(result, options.json, toStatusText);
          if (hasErrors(result) || signal.aborted) process.exitCode = 1;
        } finally {
          progress.stop();
          ops.close();
          await client.connection.close();
        }
      });
    });
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
