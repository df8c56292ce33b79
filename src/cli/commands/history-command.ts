import type { Command } from 'commander';
import { createCheckedTemporalClient } from '../../app/clients';
import { parseSince } from '../../ops/cascade-filters';
import { type RecordedHistory, recordHistories } from '../../ops/history-recorder';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';
import { parsePositiveInteger } from '../option-parsers';
import { applyStackEnvironment } from '../stack-session';

interface RecordOptions {
  out: string;
  workflowType?: string;
  workflowId?: string[];
  since?: string;
  limit: number;
  json?: boolean;
}

function toRecordedLine(h: RecordedHistory): string {
  return `${h.workflowType}  ${h.workflowId}  run ${h.runId}  ${h.status}  ${h.events} events  → ${h.file}`;
}

/** `cascade history record`: writes workflow histories as JSON for the replay tests. */
export function registerHistoryCommand(program: Command, global: () => GlobalOptions): void {
  const history = program.command('history').description('workflow histories, recorded for the replay tests (test/replay)');
  history
    .command('record')
    .description(
      'write the event history of each selected run as JSON (<out>/<workflowType>/<workflowId>.<runId>.json), the form Worker.runReplayHistories reads; newest runs first',
    )
    .requiredOption('--out <dir>', 'directory to write to, e.g. test/replay/histories')
    .option('--workflow-type <type>', 'only runs of this workflow type, e.g. entityDeletedWorkflow')
    .option('--workflow-id <id...>', 'only these workflow IDs (every run of each)')
    .option('--since <when>', 'only runs started since: a duration back (30m, 24h) or an ISO 8601 time')
    .option('--limit <n>', 'most runs recorded', parsePositiveInteger, 20)
    .option('--json', 'print the result as JSON')
    .action(async (options: RecordOptions) => {
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const { config } = createCliContext(global(), ['client'], applyStackEnvironment());
      const client = await createCheckedTemporalClient(config);
      try {
        const recorded = await recordHistories(client, {
          outDir: options.out,
          limit: options.limit,
          ...(options.workflowType === undefined ? {} : { workflowType: options.workflowType }),
          ...(options.workflowId === undefined ? {} : { workflowIds: options.workflowId }),
          ...(since === undefined ? {} : { since }),
        });
        printResult(recorded, options.json, (list) =>
          list.length === 0 ? 'no workflow run matches: nothing recorded' : [...list.map(toRecordedLine), '', `${list.length} history(ies) recorded`].join('\n'),
        );
      } finally {
        await client.connection.close();
      }
    });
}
