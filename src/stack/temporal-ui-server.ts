import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { provideGoModuleCommands } from './go-module-build';
import { findPackageRoot } from './package-root';
import { STACK_HOST } from './ports';
import type { ServiceContext, StackService } from './service';
import { StackError } from './stack-error';
import { TEMPORAL_NAMESPACE, toUiCodecEndpoint } from './temporal-server';
import { TEMPORAL_SERVER_BUILD_MODULE_DIR } from './temporal-postgres-server';

/**
 * Version of the Temporal Web UI server the `server` variant runs: the one the
 * Temporal CLI 1.5.1 embeds in its dev server, so both variants show the same
 * UI. Built in the same Go module as the Temporal server (its go.mod pins it).
 */
export const TEMPORAL_UI_SERVER_VERSION = '2.42.1';

/**
 * The UI server's configuration (its `development.yaml`; JSON is YAML): bound
 * to the stack host, pointed at the stack's Temporal frontend, decoding
 * payloads through Cascade's `POST /codec` like the dev server's UI. The
 * cookie is not `Secure` because the UI is served over plain HTTP on loopback.
 */
export function toUiServerConfig(ports: ServiceContext['ports']): string {
  const config = {
    host: STACK_HOST,
    port: ports.temporalUi,
    temporalGrpcAddress: `${STACK_HOST}:${ports.temporal}`,
    enableUi: true,
    defaultNamespace: TEMPORAL_NAMESPACE,
    notifyOnNewVersion: false,
    hideLogs: true,
    cors: { cookieInsecure: true, allowOrigins: [`http://${STACK_HOST}:${ports.temporalUi}`, `http://localhost:${ports.temporalUi}`] },
    codec: { endpoint: toUiCodecEndpoint(ports.http) },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The Temporal Web UI beside the Temporal server (the `server` variant; the
 * dev server serves its own). Built with Go from the module proxy like the
 * server, cached under the cache dir, and started with a generated config in
 * `<stateDir>/temporal-ui/config`. Healthy once its API answers from the
 * frontend, so a UI that cannot reach Temporal is reported, not hidden.
 */
export function createTemporalUiService(ctx: ServiceContext): StackService {
  const uiUrl = `http://${STACK_HOST}:${ctx.ports.temporalUi}`;
  const rootDir = path.join(ctx.stateDir, 'temporal-ui');
  const configDir = path.join(rootDir, 'config');

  return {
    name: 'temporal-ui',
    url: uiUrl,
    ports: [{ port: ctx.ports.temporalUi, setting: 'temporalUi' }],
    // Started beside the Temporal server, whose schema upgrade and start come first.
    startTimeoutMs: 240_000,

    async prepare() {
      const built = await provideGoModuleCommands({
        service: 'temporal-ui',
        module: 'github.com/temporalio/ui-server/v2',
        version: TEMPORAL_UI_SERVER_VERSION,
        commands: [{ packageDir: 'cmd/server', cachedName: `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}` }],
        buildModuleDir: path.join(findPackageRoot(), TEMPORAL_SERVER_BUILD_MODULE_DIR),
        label: `Temporal Web UI server ${TEMPORAL_UI_SERVER_VERSION}`,
        hint: 'Check that Go can reach the module proxy (GOPROXY), or run the stack with the dev server (CASCADE_STACK_TEMPORAL=dev), which serves its own Web UI.',
        cacheDir: ctx.cacheDir,
        logger: ctx.logger,
        onProgress: ctx.onProgress,
      });
      const binary = built?.[0];
      if (binary === undefined) {
        throw new StackError('temporal-ui', 'the Temporal Web UI server is built with Go, and Go is not installed.', 'Install Go, or run the stack with the dev server (CASCADE_STACK_TEMPORAL=dev).');
      }
      await mkdir(configDir, { recursive: true });
      const configText = toUiServerConfig(ctx.ports);
      await writeFile(path.join(configDir, 'development.yaml'), configText);
      return {
        command: binary,
        args: ['--root', rootDir, '--config', 'config', '--env', 'development', 'start'],
        cwd: rootDir,
        configText,
      };
    },

    async checkHealth() {
      const response = await fetch(`${uiUrl}/api/v1/namespaces/${TEMPORAL_NAMESPACE}`, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (!response.ok) throw new Error(`Temporal Web UI at ${uiUrl} answered HTTP ${response.status} for namespace ${TEMPORAL_NAMESPACE}: ${body.slice(0, 200)}`);
    },
  };
}
