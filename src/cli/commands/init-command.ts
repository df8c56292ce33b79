import type { Command } from 'commander';
import { createSqsClient, createCheckedTemporalClient } from '../../app/clients';
import { createS3Client, createSnsClient } from '../../app/destination-clients';
import { ensureBucket, ensureQueues, ensureSearchAttributes, ensureTopic } from '../../app/provision';
import { loadQueueConfig } from '../../stack/queue-config';
import { type GlobalOptions, createCliContext, printResult } from '../cli-context';

/** `cascade init`: queues, redrive policies, the routes' topic and bucket, and search attributes in a real AWS/Temporal environment. */
export function registerInitCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('init')
    .description(
      'idempotently create the queues (with redrive policy), the audit topic and the email bucket of config/queues.json, and register the search attributes in the namespace',
    )
    .option('--queues <file>', 'queue configuration file (default: config/queues.json)')
    .option('--dry-run', 'show what would be created, change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { queues?: string; dryRun?: boolean; json?: boolean }) => {
      const { config } = createCliContext(global(), ['client']);
      const sqs = createSqsClient(config);
      const sns = createSnsClient(config);
      const s3 = createS3Client(config);
      const client = await createCheckedTemporalClient(config);
      try {
        const queueConfig = loadQueueConfig(options.queues);
        const ensure = { dryRun: options.dryRun };
        const queues = await ensureQueues(sqs, queueConfig, ensure);
        const destinations = [
          await ensureTopic(sns, queueConfig.destinations.auditTopic, ensure),
          await ensureBucket(s3, queueConfig.destinations.emailArchiveBucket, config.aws.region, ensure),
        ];
        const searchAttributes = await ensureSearchAttributes(client, config.temporal.namespace, ensure);
        printResult({ queues, destinations, searchAttributes }, options.json, (r) =>
          [
            ...r.queues.map((q) => `${q.action.padEnd(12)} queue ${q.name}`),
            ...r.destinations.map((d) => `${d.action.padEnd(12)} ${d.kind} ${d.name}`),
            ...r.searchAttributes.map((s) => `${s.action.padEnd(12)} search attribute ${s.name} (Keyword)`),
            '',
            'Configure Cascade with:',
            ...r.queues.filter((q) => q.url).map((q) => `${q.variable}=${q.url}`),
            ...r.destinations.filter((d) => d.value).map((d) => `${d.variable}=${d.value}`),
          ].join('\n'),
        );
      } finally {
        sqs.destroy();
        sns.destroy();
        s3.destroy();
        await client.connection.close();
      }
    });
}
