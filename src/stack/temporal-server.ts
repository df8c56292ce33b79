import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Logger } from 'pino';
import { CODEC_ENDPOINT_PREFIX } from '../codec/codec-endpoint';
import { STACK_HOST } from './ports';
import { CASCADE_SEARCH_ATTRIBUTES, type SearchAttributeTypeName } from '../temporal/search-attributes';
import type { ServiceContext, StackService } from './service';
import { resolveTemporalCli } from './temporal-cli';

/** Namespace of the dev server; created at start. */
export const TEMPORAL_NAMESPACE = 'default';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, IndexedValueType> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** Runs `fn` with a fresh connection to the Temporal frontend at `address`, closed afterwards. */
export async function withTemporalConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: '2s' });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/**
 * Registers the {@link CASCADE_SEARCH_ATTRIBUTES} missing on the namespace.
 * @returns the names it registered
 */
export async function registerMissingSearchAttributes(connection: Connection, logger: Logger): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: TEMPORAL_NAMESPACE });
  const missing = Object.entries(CASCADE_SEARCH_ATTRIBUTES).filter(([name]) => customAttributes?.[name] === undefined);
  if (missing.length === 0) return [];
  logger.info({ attributes: missing.map(([name]) => name) }, 'registering Temporal search attributes');
  await connection.operatorService.addSearchAttributes({
    namespace: TEMPORAL_NAMESPACE,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
  return missing.map(([name]) => name);
}

/**
 * The remote codec endpoint the dev server's Web UI calls (`<url>/decode`):
 * `POST /codec/*` of the Cascade process on the stack's HTTP port.
 */
export function toUiCodecEndpoint(httpPort: number): string {
  return `http://${STACK_HOST}:${httpPort}${CODEC_ENDPOINT_PREFIX}`;
}

/**
 * The Temporal CLI dev server with its Web UI. State lives in
 * `<stateDir>/temporal/temporal.db`, so workflows survive a restart. The UI
 * decodes payloads through {@link toUiCodecEndpoint}.
 */
export function createTemporalService(ctx: ServiceContext): StackService {
  const address = `${STACK_HOST}:${ctx.ports.temporal}`;
  const uiUrl = `http://${STACK_HOST}:${ctx.ports.temporalUi}`;
  const dataDir = path.join(ctx.stateDir, 'temporal');

  const withConnection = <T>(fn: (connection: Connection) => Promise<T>): Promise<T> => withTemporalConnection(address, fn);

  return {
    name: 'temporal',
    url: address,
    ports: [
      { port: ctx.ports.temporal, setting: 'temporal' },
      { port: ctx.ports.temporalUi, setting: 'temporalUi' },
      { port: ctx.ports.temporalMetrics, setting: 'temporalMetrics' },
    ],
    startTimeoutMs: 90_000,

    async prepare() {
      const binary = await resolveTemporalCli({ cacheDir: ctx.cacheDir, logger: ctx.logger, onProgress: ctx.onProgress });
      await mkdir(dataDir, { recursive: true });
      const searchAttributes = Object.entries(CASCADE_SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
      return {
        command: binary,
        args: [
          'server', 'start-dev',
          '--ip', STACK_HOST,
          '--port', String(ctx.ports.temporal),
          '--ui-port', String(ctx.ports.temporalUi),
          '--metrics-port', String(ctx.ports.temporalMetrics),
          '--db-filename', path.join(dataDir, 'temporal.db'),
          // Write-ahead log, synced at checkpoints: ~3× the workflow throughput of the default rollback journal
          // synced on every commit (npm run bench), still intact after the process is killed (only an OS crash
          // can lose the last commits).
          '--sqlite-pragma', 'journal_mode=wal',
          '--sqlite-pragma', 'synchronous=normal',
          '--namespace', TEMPORAL_NAMESPACE,
          '--log-level', 'warn',
          // The Web UI decodes payloads (encrypted when CASCADE_PAYLOAD_KEYS is set) through Cascade's own HTTP server.
          '--ui-codec-endpoint', toUiCodecEndpoint(ctx.ports.http),
          ...searchAttributes,
        ],
        cwd: dataDir,
        variant: 'dev',
      };
    },

    async checkHealth() {
      await withConnection(async (connection) => {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: TEMPORAL_NAMESPACE });
      });
      const response = await fetch(uiUrl, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.status >= 500) throw new Error(`Temporal UI at ${uiUrl} answered HTTP ${response.status}`);
    },

    /**
     * `--search-attribute` only applies when the namespace is created, i.e. on
     * a fresh db file; attributes added to CASCADE_SEARCH_ATTRIBUTES later are
     * registered here.
     */
    async afterHealthy() {
      await withConnection((connection) => registerMissingSearchAttributes(connection, ctx.logger));
    },
  };
}
