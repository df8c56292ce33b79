import type { Command } from 'commander';
import { createSqsClient, createTemporalClient } from '../../app/clients';
import { ensureQueues, ensureSearchAttributes } from '../../app/provision';
import { loadQueueConfig } from '../../stack/queue-config';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';

/** `cascade init`: queues, redrive policies and search attributes in a real AWS/Temporal environment. */
export function registerInitCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('init')
    .description('idempotently create the queues (with redrive policy) from config/queues.json and register the search attributes in the namespace')
    .option('--queues <file>', 'queue configuration file (default: config/queues.json)')
    .option('--dry-run', 'show what would be created, change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { queues?: string; dryRun?: boolean; json?: boolean }) => {
      const { config } = createCliContext(global(), ['client']);
      const sqs = createSqsClient(config);
      const client = createTemporalClient(config);
      try {
        const queueConfig = loadQueueConfig(options.queues);
        const queues = await ensureQueues(sqs, queueConfig, { dryRun: options.dryRun });
        const searchAttributes = await ensureSearchAttributes(client, config.temporal.namespace, { dryRun: options.dryRun });
        printResult({ queues, searchAttributes }, options.json, (r) =>
          [
            ...r.queues.map((q) => `${q.action.padEnd(12)} queue ${q.name}`),
            ...r.searchAttributes.map((s) => `${s.action.padEnd(12)} search attribute ${s.name} (Keyword)`),
            '',
            'Configure Cascade with:',
            ...r.queues.filter((q) => q.url).map((q) => `${q.variable}=${q.url}`),
          ].join('\n'),
        );
      } finally {
        sqs.destroy();
        await client.connection.close();
      }
    });
}
