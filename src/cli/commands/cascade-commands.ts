import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Client } from '@temporalio/client';
import { createCheckedTemporalClient, toWorkflowUiUrl } from '../../app/clients';
import type { CascadeConfig } from '../../config';
import { type CascadeFilters, toCascadeFilters } from '../../ops/cascade-filters';
import { type CascadeDetails, describeCascade } from '../../ops/cascade-details';
import { type FailedCascade, listFailedCascades } from '../../ops/failed-cascades';
import { type RerunOutcome, rerunCascades, toRerunSummary } from '../../ops/rerun';
import { RESET_POINTS, type ResetOutcome, type ResetPoint, resetCascades } from '../../ops/reset';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';
import { confirmAction } from '../confirm';
import { parsePositiveInteger, parsePositiveNumber } from '../option-parsers';
import { createProgress } from '../progress';
import { applyStackEnvironment } from '../stack-session';

interface FilterOptions {
  route?: string;
  entity?: string;
  since?: string;
  limit: number;
}

interface BulkOptions extends FilterOptions {
  failed?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  concurrency: number;
  rate?: number;
}

/** Commander parser of a count that may be 0, e.g. `--stuck-scan-limit 0`. */
function parseNonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError('must be 0 or a positive integer.');
  return parsed;
}

/** Adds the filters shared by `failed`, `rerun --failed` and `reset --failed`. */
function withFilters(command: Command, limitDefault: number): Command {
  return command
    .option('--route <route>', 'only cascades of this route (CascadeRoute)')
    .option('--entity <id>', 'only cascades of this entity (EntityId)')
    .option('--since <when>', 'only cascades closed since: a duration back from now (30m, 24h, 7d) or an ISO time')
    .option('--limit <n>', 'most cascades', parsePositiveInteger, limitDefault);
}

/** Adds the options of commands that change many cascades. */
function withBulkOptions(command: Command): Command {
  return withFilters(command.option('--failed', 'every failed, timed-out or terminated cascade matching the filters'), 1000)
    .option('--dry-run', 'show what would be done, change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--concurrency <n>', 'cascades handled at once', parsePositiveInteger, 4)
    .option('--rate <per-second>', 'most cascades started per second', parsePositiveNumber)
    .option('--json', 'print the result as JSON');
}

async function withClient<T>(global: GlobalOptions, run: (client: Client, config: CascadeConfig) => Promise<T>, options: { readonly readOnly?: boolean } = {}): Promise<T> {
  const { config } = createCliContext(global, ['client'], applyStackEnvironment());
  const client = await createCheckedTemporalClient(config, options);
  try {
    return await run(client, config);
  } finally {
    await client.connection.close();
  }
}

/** The workflow IDs a bulk command acts on: those named, or (with `--failed`) those `cascade failed` lists. */
async function selectWorkflowIds(client: Client, config: CascadeConfig, ids: readonly string[], options: BulkOptions): Promise<string[]> {
  if (options.failed && ids.length > 0) throw new Error('name workflow IDs or pass --failed, not both');
  if (!options.failed && ids.length === 0) throw new Error('name at least one workflow ID, or pass --failed (with --route/--entity/--since filters)');
  if (!options.failed && (options.route || options.entity || options.since)) throw new Error('--route, --entity and --since select with --failed only');
  if (!options.failed) return [...ids];
  const filters: CascadeFilters = toCascadeFilters(options);
  const failed = await listFailedCascades(client, { filters, limit: options.limit, toUiUrl: (id) => toWorkflowUiUrl(config, id) });
  return failed.map((f) => f.workflowId);
}

/** Runs a bulk action with confirmation and a progress bar; prints the outcomes and a summary. */
async function runBulk<T extends { workflowId: string; outcome: string }>(
  verb: string,
  ids: readonly string[],
  options: BulkOptions,
  act: (onDone: () => void) => Promise<T[]>,
  toSummary: (outcomes: readonly T[]) => string,
  toLine: (outcome: T) => string,
): Promise<void> {
  if (ids.length === 0) {
    printResult({ outcomes: [] }, options.json, () => `nothing to ${verb}: no cascade matches`);
    return;
  }
  if (!options.dryRun && !(await confirmAction(`${verb} ${ids.length} cascade(s)`, { yes: options.yes }))) {
    process.stderr.write(`aborted: nothing was done\n`);
    process.exitCode = 1;
    return;
  }
  const progress = createProgress({ label: options.dryRun ? `checking` : `${verb}`, total: ids.length });
  let outcomes: T[];
  try {
    outcomes = await act(() => progress.increment());
  } finally {
    progress.stop();
  }
  printResult({ outcomes, summary: toSummary(outcomes) }, options.json, (r) => [...r.outcomes.map(toLine), '', r.summary].join('\n'));
  if (outcomes.some((o) => o.outcome === 'error')) process.exitCode = 1;
}

function toFailedLine(f: FailedCascade): string {
  return [f.stuck ? `running since ${f.stuck.since ?? '?'}` : f.closeTime, f.route, f.eventKey.length > 20 ? `${f.eventKey.slice(0, 19)}…` : f.eventKey, f.status, f.reason, f.uiUrl].join('  ');
}

function toDetailsText(d: CascadeDetails): string {
  const lines = [
    `${d.workflowId}  (run ${d.runId})`,
    `  status:      ${d.status}${d.closeTime ? ` at ${d.closeTime}` : ''} (started ${d.startTime}, ${d.historyLength} history events)`,
    `  workflow:    ${d.workflowType} on task queue ${d.taskQueue}`,
    `  route:       ${d.route ?? '—'}   event key: ${d.eventKey ?? '—'}${d.entityId ? `   entity: ${d.entityId}` : ''}`,
    `  input:       ${JSON.stringify(d.input)}`,
    `  memo:        ${JSON.stringify(d.memo)}`,
    '  activities:',
    ...(d.activities.length === 0
      ? ['    (none yet)']
      : d.activities.map((a) => `    ${a.activityType} #${a.activityId}${a.local ? ' (local)' : ''}: ${a.state}, ${a.attempts} attempt(s)${a.lastFailure ? `; last failure: ${a.lastFailure}` : ''}`)),
    ...d.troubles.map((t) =>
      t.kind === 'workflow-task-failing'
        ? `  STUCK:       workflow task failing, attempt ${t.attempt}${t.since ? ` (since ${t.since})` : ''}: ${t.lastFailure}`
        : `  RETRYING:    step ${t.step ?? '?'}, attempt ${t.attempt}: last failure: ${t.lastFailure}`,
    ),
    ...(d.result !== undefined ? [`  result:      ${JSON.stringify(d.result)}`] : []),
    ...(d.failure !== undefined ? [`  failure:     ${d.failure}`] : []),
    `  Web UI:      ${d.uiUrl}`,
  ];
  return lines.join('\n');
}

function toRerunLine(o: RerunOutcome): string {
  switch (o.outcome) {
    case 'rerun':
      return `re-run      ${o.workflowId} (new run ${o.runId}, after ${o.previousRunId})`;
    case 'would-rerun':
      return `would re-run ${o.workflowId} (latest run ${o.previousRunId} is ${o.status})`;
    case 'skipped':
      return `skipped     ${o.workflowId}: ${o.reason === 'not-found' ? 'no such cascade' : `${o.reason}${o.reason === 'completed' ? ' (a completed cascade never runs twice)' : ''}`}`;
    case 'error':
      return `error       ${o.workflowId}: ${o.error}`;
  }
}

function toResetLine(o: ResetOutcome): string {
  switch (o.outcome) {
    case 'reset':
      return `reset        ${o.workflowId} to event ${o.eventId} (new run ${o.runId}, after ${o.previousRunId})`;
    case 'would-reset':
      return `would reset  ${o.workflowId} to event ${o.eventId} of run ${o.previousRunId}`;
    case 'skipped':
      return `skipped      ${o.workflowId}: ${o.reason}`;
    case 'error':
      return `error        ${o.workflowId}: ${o.error}`;
  }
}

/** `cascade failed`, `show`, `rerun`, `reset`: finding failed cascades and running them again. */
export function registerCascadeCommands(program: Command, global: () => GlobalOptions): void {
  withFilters(program.command('failed'), 50)
    .description(
      'list failed, timed-out and terminated cascades (whose latest run is that failure), newest first, with the reason and a Web UI link; first, running cascades stuck on a workflow task that fails on every attempt',
    )
    .option('--stuck-scan-limit <n>', 'most running cascades described to find stuck ones (0: none)', parseNonNegativeInteger, 1000)
    .option('--json', 'print the result as JSON')
    .action(async (options: FilterOptions & { stuckScanLimit: number; json?: boolean }) => {
      const filters = toCascadeFilters(options);
      await withClient(global(), async (client, config) => {
        const failed = await listFailedCascades(client, { filters, limit: options.limit, toUiUrl: (id) => toWorkflowUiUrl(config, id), stuckScanLimit: options.stuckScanLimit });
        printResult(failed, options.json, (list) => {
          if (list.length === 0) return 'no failed or stuck cascades match';
          const stuck = list.filter((f) => f.stuck).length;
          return [
            ...list.map(toFailedLine),
            '',
            `${list.length - stuck} failed cascade(s). Re-run them with \`cascade rerun --failed\` (same filters), inspect one with \`cascade show <workflowId>\`.`,
            ...(stuck > 0
              ? [
                  `${stuck} stuck cascade(s): running, but their workflow task fails on every attempt (usually workflow code that no longer replays their history). Deploy workers whose code replays them (docs/operations.md, "Shipping workflow changes"); they then go on by themselves.`,
                ]
              : []),
          ].join('\n');
        });
      }, { readOnly: true });
    });

  program
    .command('show')
    .description("a cascade's latest run: status, decoded input, activities with attempts and last failure, result or failure, Web UI link")
    .argument('<workflowId>', 'e.g. email-archive/3f2a…')
    .option('--json', 'print the result as JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      await withClient(global(), async (client, config) => {
        const details = await describeCascade(client, workflowId, (id) => toWorkflowUiUrl(config, id));
        printResult(details, options.json, toDetailsText);
      }, { readOnly: true });
    });

  withBulkOptions(
    program
      .command('rerun')
      .description(
        'start cascades again with their original input under the same workflow ID (ALLOW_DUPLICATE_FAILED_ONLY: a completed cascade is never run twice); running ones are skipped',
      )
      .argument('[workflowIds...]', 'cascades to re-run (or --failed with filters)'),
  ).action(async (ids: string[], options: BulkOptions) => {
    await withClient(global(), async (client, config) => {
      const selected = await selectWorkflowIds(client, config, ids, options);
      await runBulk(
        options.dryRun ? 'check' : 're-run',
        selected,
        options,
        (onDone) => rerunCascades(client, selected, { dryRun: options.dryRun, concurrency: options.concurrency, ...(options.rate ? { ratePerSecond: options.rate } : {}), onDone }),
        (outcomes) => {
          const s = toRerunSummary(outcomes);
          const done = options.dryRun ? `would re-run ${s.wouldRerun}` : `re-run ${s.rerun}`;
          return `${done}; skipped ${s.skippedCompleted + s.skippedRunning + s.notFound} (already completed ${s.skippedCompleted}, still running ${s.skippedRunning}, not found ${s.notFound}); errors ${s.errors}`;
        },
        toRerunLine,
      );
    });
  });

  withBulkOptions(
    program
      .command('reset')
      .description("Temporal's reset: a new run that keeps the history up to the reset point and goes on from there (the failed run stays, marked as reset)")
      .argument('[workflowIds...]', 'cascades to reset (or --failed with filters)')
      .addOption(new Option('--to <point>', 'first-task: the first workflow task; last-failure: just before the last failed activity was scheduled').choices(RESET_POINTS).default('last-failure'))
      .option('--reason <text>', 'recorded with the reset', 'reset from the cascade CLI'),
  ).action(async (ids: string[], options: BulkOptions & { to: ResetPoint; reason: string }) => {
    await withClient(global(), async (client, config) => {
      const selected = await selectWorkflowIds(client, config, ids, options);
      await runBulk(
        options.dryRun ? 'check' : 'reset',
        selected,
        options,
        (onDone) =>
          resetCascades(client, selected, { to: options.to, reason: options.reason, dryRun: options.dryRun, concurrency: options.concurrency, ...(options.rate ? { ratePerSecond: options.rate } : {}), onDone }),
        (outcomes) => {
          const count = (kind: string) => outcomes.filter((o) => o.outcome === kind).length;
          return `${options.dryRun ? `would reset ${count('would-reset')}` : `reset ${count('reset')}`}; skipped ${count('skipped')}; errors ${count('error')}`;
        },
        toResetLine,
      );
    });
  });
}
