import fs from 'node:fs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { type RunningCascade, startCascadeProcess } from '../../app/cascade-app';
import { createSqsClient, createCheckedTemporalClient } from '../../app/clients';
import { createS3Client } from '../../app/destination-clients';
import { loadConfig } from '../../config';
import { createPrismaClient } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import type { DemoContext, DemoTable } from '../../demo/demo-scenario';
import { createDemoScenarios } from '../../demo/demo-scenarios';
import { type ObservedOutcome, createQuarantineWatcher, observeOutcomes } from '../../demo/observe-outcomes';
import { createLogger } from '../../logger';
import { createRoutes } from '../../routes/registry';
import { type RouteName, isRouteName } from '../../routes/route-names';
import { defaultWorkflowBundlePath } from '../../worker/workflow-source';
import { type GlobalOptions, printResult } from '../cli-context';
import { toTable } from '../text-format';
import { applyStackEnvironment, bringStackUp, readStackEndpoints, toStackOptions } from '../stack-session';

/** What the demo found for one route. */
export interface RouteDemoResult {
  readonly route: RouteName;
  readonly outcomes: Array<{ message: string } & ObservedOutcome>;
  readonly effects: DemoTable;
}

/** `cascade demo`: for every configured route, seeds data, sends a realistic mix of messages, shows what became of each. */
export function registerDemoCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('demo')
    .description(
      'for every configured route: seed data, send valid, duplicate, unknown and malformed messages, and show the outcome of each and the resulting state (uses the running Cascade, or runs one in-process)',
    )
    .option('--route <name...>', 'only these routes')
    .option('--timeout <seconds>', 'how long to wait for every outcome', '120')
    .option('--json', 'print the result as JSON')
    .action(async (options: { route?: string[]; timeout: string; json?: boolean }) => {
      const logger = createLogger({ level: global().logLevel ?? 'warn', human: global().humanLogs ?? true, stream: 'stderr' });
      const stackOptions = toStackOptions(process.env, logger);
      if (!readStackEndpoints(stackOptions.stateDir) && !process.env.TEMPORAL_ADDRESS) await bringStackUp(stackOptions);
      const env = applyStackEnvironment();
      const bundle = defaultWorkflowBundlePath();
      if (env.CASCADE_WORKFLOW_BUNDLE === undefined && fs.existsSync(bundle)) env.CASCADE_WORKFLOW_BUNDLE = bundle;
      const config = loadConfig(env, ['worker', 'bridge']);
      if (!config.databaseUrl || !config.quarantineQueueUrl) throw new Error('the demo needs DATABASE_URL and CASCADE_QUARANTINE_QUEUE_URL (run `cascade stack up`)');
      for (const name of options.route ?? []) if (!isRouteName(name)) throw new Error(`unknown route "${name}"`);
      const scenarios = createDemoScenarios();
      const routes = createRoutes(config);
      const selected = config.routes.filter((r) => scenarios[r.route] && (!options.route || options.route.includes(r.route)));
      if (selected.length === 0) throw new Error('no configured route to demonstrate: set a route queue URL or run `cascade stack up`');
      await migrateDatabase({ databaseUrl: config.databaseUrl, logger });

      const context: DemoContext = { prisma: createPrismaClient(config.databaseUrl), sqs: createSqsClient(config), s3: createS3Client(config), config };
      const client = await createCheckedTemporalClient(config);
      let embedded: RunningCascade | undefined;
      try {
        const sends = [];
        for (const { route, queueUrl } of selected) {
          const scenario = scenarios[route];
          if (!scenario) continue;
          await scenario.seed(context);
          const sent = await sendAll(context, queueUrl, scenario.messages.map((m) => m.body));
          sends.push({ route, queueUrl, scenario, sent });
        }
        if (!(await isCascadeRunning(env.CASCADE_HTTP_URL))) {
          process.stderr.write('No Cascade answers at CASCADE_HTTP_URL; running bridge + worker in this process for the demo.\n');
          embedded = await startCascadeProcess(
            { ...config, routes: selected, bridge: { ...config.bridge, waitTimeSeconds: 1 } },
            { bridge: true, worker: true, http: false },
            logger,
            { ensureSchedules: false },
          );
        }
        const quarantine = createQuarantineWatcher(context.sqs, config.quarantineQueueUrl);
        const results: RouteDemoResult[] = await Promise.all(
          sends.map(async ({ route, queueUrl, scenario, sent }) => {
            const observed = await observeOutcomes({
              client,
              sqs: context.sqs,
              route: routes[route],
              queueUrl,
              quarantine,
              sent: sent.map((s, i) => ({ ...s, body: scenario.messages[i]?.body ?? '' })),
              timeoutMs: Number(options.timeout) * 1000,
            });
            return {
              route,
              outcomes: observed.map((o, i) => ({ message: scenario.messages[i]?.label ?? '', ...o })),
              effects: await scenario.effects(context),
            };
          }),
        );
        printResult({ routes: results }, options.json, (r) => toDemoText(r.routes, config.temporal.uiUrl, config.temporal.namespace));
        if (results.some((r) => r.outcomes.some((o) => o.outcome === 'pending'))) process.exitCode = 1;
      } finally {
        if (embedded) await embedded.stop();
        context.sqs.destroy();
        context.s3.destroy();
        await client.connection.close();
        await context.prisma.$disconnect();
      }
    });
}

async function sendAll(context: DemoContext, queueUrl: string, bodies: readonly string[]): Promise<Array<{ messageId: string; sentAt: Date }>> {
  const sent: Array<{ messageId: string; sentAt: Date }> = [];
  for (let offset = 0; offset < bodies.length; offset += 10) {
    const batch = bodies.slice(offset, offset + 10);
    const response = await context.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })) }));
    if ((response.Successful ?? []).length !== batch.length) throw new Error(`SQS refused ${response.Failed?.length ?? 0} demo message(s) on ${queueUrl}`);
    const sentAt = new Date();
    const byId = new Map((response.Successful ?? []).map((s) => [Number(s.Id), s.MessageId ?? '']));
    batch.forEach((_, i) => sent.push({ messageId: byId.get(i) ?? '', sentAt }));
  }
  return sent;
}

function toDemoText(results: readonly RouteDemoResult[], uiUrl: string, namespace: string): string {
  return results
    .map((r) =>
      [
        `== ${r.route} ==`,
        toTable(['message', 'outcome', 'detail'], r.outcomes.map((o) => [o.message, o.outcome, o.detail])),
        '',
        r.effects.title,
        toTable(r.effects.header, r.effects.rows),
        '',
        `Web UI: ${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`CascadeRoute="${r.route}"`)}`,
        '',
      ].join('\n'),
    )
    .join('\n');
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
