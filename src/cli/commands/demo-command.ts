import fs from 'node:fs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { type RunningCascade, startCascadeProcess } from '../../app/cascade-app';
import { createSqsClient, createTemporalClient, toWorkflowUiUrl } from '../../app/clients';
import { loadConfig } from '../../config';
import { createPrismaClient } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { createAccountDemoScenario } from '../../demo/account-demo';
import { observeOutcomes } from '../../demo/observe-outcomes';
import { createLogger } from '../../logger';
import { createRoutes, requireRoute } from '../../routes/registry';
import { defaultWorkflowBundlePath } from '../../worker/workflow-source';
import { type GlobalOptions, printResult } from '../cli-context';
import { applyStackEnvironment, bringStackUp, readStackEndpoints, toStackOptions } from '../stack-session';

/** `cascade demo`: seeds users, sends a realistic mix of events, shows what became of each. */
export function registerDemoCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('demo')
    .description('seed users, send valid, duplicate, unknown and malformed account events, and show the outcomes and the final user rows (uses the running Cascade, or runs one in-process)')
    .option('--timeout <seconds>', 'how long to wait for every outcome', '90')
    .option('--json', 'print the result as JSON')
    .action(async (options: { timeout: string; json?: boolean }) => {
      const logger = createLogger({ level: global().logLevel ?? 'warn', human: global().humanLogs ?? true, stream: 'stderr' });
      const stackOptions = toStackOptions(process.env, logger);
      if (!readStackEndpoints(stackOptions.stateDir) && !process.env.TEMPORAL_ADDRESS) await bringStackUp(stackOptions);
      const env = applyStackEnvironment();
      const bundle = defaultWorkflowBundlePath();
      if (env.CASCADE_WORKFLOW_BUNDLE === undefined && fs.existsSync(bundle)) env.CASCADE_WORKFLOW_BUNDLE = bundle;
      const config = loadConfig(env, ['worker', 'bridge']);
      const route = requireRoute(createRoutes(config), 'account-events');
      const queue = config.routes.find((r) => r.route === route.name);
      if (!queue || !config.databaseUrl || !config.quarantineQueueUrl) throw new Error('the demo needs the account-events queue, the quarantine queue and DATABASE_URL');
      await migrateDatabase({ databaseUrl: config.databaseUrl, logger });

      const prisma = createPrismaClient(config.databaseUrl);
      const sqs = createSqsClient(config);
      const client = createTemporalClient(config);
      let embedded: RunningCascade | undefined;
      try {
        const scenario = createAccountDemoScenario();
        await prisma.user.createMany({ data: scenario.users });
        const response = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queue.queueUrl, Entries: scenario.messages.map((m, i) => ({ Id: String(i), MessageBody: m.body })) }),
        );
        const sentAt = new Date();
        const sent = (response.Successful ?? []).map((s) => ({ index: Number(s.Id), messageId: s.MessageId ?? '', sentAt }));
        if (sent.length !== scenario.messages.length) throw new Error(`only ${sent.length} of ${scenario.messages.length} demo messages were accepted by SQS`);

        const httpUrl = env.CASCADE_HTTP_URL;
        if (!(await isCascadeRunning(httpUrl))) {
          process.stderr.write('No Cascade answers at CASCADE_HTTP_URL; running bridge + worker in this process for the demo.\n');
          embedded = await startCascadeProcess({ ...config, bridge: { ...config.bridge, waitTimeSeconds: 1 } }, { bridge: true, worker: true, http: false }, logger);
        }
        const outcomes = await observeOutcomes({
          client,
          sqs,
          route,
          queueUrl: queue.queueUrl,
          quarantineQueueUrl: config.quarantineQueueUrl,
          sent: sent.map((s) => ({ messageId: s.messageId, sentAt: s.sentAt, body: scenario.messages[s.index]?.body ?? '' })),
          timeoutMs: Number(options.timeout) * 1000,
        });
        const users = await prisma.user.findMany({ where: { email: { in: scenario.emails } }, orderBy: [{ email: 'asc' }, { uid: 'asc' }] });
        const rows = sent.map((s, i) => ({ message: scenario.messages[s.index]?.label ?? '', ...outcomes[i] }));
        printResult({ outcomes: rows, users }, options.json, ({ outcomes: o, users: u }) =>
          [
            'Outcomes',
            toTable(['message', 'outcome', 'detail'], o.map((r) => [r.message, r.outcome ?? '', r.detail ?? ''])),
            '',
            'Users after the cascades (generation 9223372036854775807 = retired)',
            toTable(['uid', 'email', 'generation', 'replaced_at'], u.map((r) => [String(r.uid), r.email, String(r.generation), r.replacedAt === null ? '' : String(r.replacedAt)])),
            '',
            `Web UI: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent('CascadeRoute="account-events"')}`,
            ...o.filter((r) => r.workflowId && r.outcome !== 'duplicate').slice(0, 1).map((r) => `e.g.   ${toWorkflowUiUrl(config, r.workflowId ?? '')}`),
          ].join('\n'),
        );
        if (rows.some((r) => r.outcome === 'pending')) process.exitCode = 1;
      } finally {
        if (embedded) await embedded.stop();
        sqs.destroy();
        await client.connection.close();
        await prisma.$disconnect();
      }
    });
}

async function isCascadeRunning(httpUrl: string | undefined): Promise<boolean> {
  if (!httpUrl) return false;
  try {
    const response = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** A plain-text table with padded columns. */
export function toTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const clip = (s: string) => (s.length > 90 ? `${s.slice(0, 89)}…` : s);
  const all = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
