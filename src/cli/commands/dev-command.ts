import fs from 'node:fs';
import type { Command } from 'commander';
import { startCascadeProcess } from '../../app/cascade-app';
import { loadConfig } from '../../config';
import { migrateDatabase } from '../../db/migrate';
import { createLogger } from '../../logger';
import { stopStack } from '../../stack';
import { defaultWorkflowBundlePath } from '../../worker/workflow-source';
import type { GlobalOptions } from '../cli-context';
import { resolveDevEventsToken, toDevEventsCurlLine } from '../dev-events-token';
import { onShutdownSignal } from '../process-lifecycle';
import { bringStackUp, forgetStackEndpoints, toStackOptions } from '../stack-session';

/** `cascade dev`: stack up, migrate, run bridge + worker + HTTP; Ctrl-C stops everything. */
export function registerDevCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('dev')
    .description('bring up the embedded local stack, migrate, and run Cascade on it; Ctrl-C stops everything')
    .option('--keep-stack', 'leave the stack running on exit (stop it later with `cascade stack down`)')
    .action(async (options: { keepStack?: boolean }) => {
      const logger = createLogger({
        level: global().logLevel ?? process.env.LOG_LEVEL ?? 'info',
        human: global().humanLogs ?? true,
        logMessageBodies: ['1', 'true', 'yes'].includes(process.env.CASCADE_LOG_MESSAGE_BODIES ?? ''),
      });
      const stackOptions = toStackOptions(process.env, logger.child({ component: 'stack' }));
      process.stderr.write('Starting the local stack (the first run builds the Temporal CLI and fetches ElasticMQ and moto; it may take several minutes)…\n');
      const endpoints = await bringStackUp(stackOptions);
      await migrateDatabase({ databaseUrl: endpoints.DATABASE_URL, logger: logger.child({ component: 'migrate' }) });
      const httpPort = new URL(endpoints.CASCADE_HTTP_URL).port;
      const bundle = defaultWorkflowBundlePath();
      // This process runs against the stack: its endpoints (and the emulators' dummy AWS credentials, which the SDK reads from process.env) win.
      Object.assign(process.env, endpoints, { CASCADE_HTTP_PORT: httpPort });
      if (process.env.CASCADE_WORKFLOW_BUNDLE === undefined && fs.existsSync(bundle)) process.env.CASCADE_WORKFLOW_BUNDLE = bundle;
      // GET /events is never open without a token: on the dev stack, make one up for this run unless one is set.
      const eventsToken = resolveDevEventsToken(process.env.CASCADE_EVENTS_API_TOKEN);
      process.env.CASCADE_EVENTS_API_TOKEN = eventsToken.token;
      // The dev server's Web UI decodes through POST /codec/*; it is reached as 127.0.0.1 or localhost, so allow both origins.
      const ui = new URL(endpoints.TEMPORAL_UI_URL);
      process.env.CASCADE_CODEC_CORS_ORIGINS ||= [ui.origin, `${ui.protocol}//localhost:${ui.port}`].join(',');
      const config = loadConfig(process.env, ['bridge', 'worker', 'http']);
      const app = await startCascadeProcess(config, { bridge: true, worker: true, http: true }, logger);
      process.stderr.write(
        [
          '',
          'Cascade is running on the local stack.',
          `  Temporal Web UI:  ${endpoints.TEMPORAL_UI_URL}/namespaces/${config.temporal.namespace}/workflows${stackOptions.temporal === 'server' ? ` (the Temporal server on PostgreSQL at ${endpoints.TEMPORAL_ADDRESS})` : ''}`,
          `  Health/metrics:   ${app.httpUrl ?? endpoints.CASCADE_HTTP_URL}/readyz  /metrics`,
          `  Payloads:         ${config.payloadKeys[0] ? `encrypted with key "${config.payloadKeys[0].id}"; the Web UI decodes them through ${app.httpUrl ?? endpoints.CASCADE_HTTP_URL}/codec` : 'not encrypted (set CASCADE_PAYLOAD_KEYS to encrypt them)'}`,
          // A token the operator set is theirs: never echoed. One made up for this run is printed so it can be used.
          toDevEventsCurlLine(eventsToken, app.httpUrl ?? endpoints.CASCADE_HTTP_URL),
          '  Try it:           npx cascade demo        (in another terminal)',
          '  Endpoints:        npx cascade stack env',
          `  Ctrl-C stops Cascade${options.keepStack ? '' : ' and the stack'}.`,
          '',
        ].join('\n'),
      );
      onShutdownSignal(logger, async () => {
        await app.stop();
        if (!options.keepStack) {
          await stopStack(stackOptions);
          forgetStackEndpoints(stackOptions.stateDir);
        }
      });
      await app.stopped;
    });
}
