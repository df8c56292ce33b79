import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { findOnPath, isExecutableFile } from './find-executable';
import { type GoTool, resolveGoTool } from './go-install';
import { StackError } from './stack-error';
import { toErrorMessage } from '../errors/error-message';
import type { StackProgressEvent } from './types';

/**
 * Temporal CLI version built when none is installed. Newer tags carry a
 * `replace` directive in go.mod, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

const TEMPORAL_CLI_TOOL: GoTool = {
  service: 'temporal',
  packagePath: 'github.com/temporalio/cli/cmd/temporal',
  version: TEMPORAL_CLI_VERSION,
  binaryName: 'temporal',
  displayName: 'Temporal CLI',
  ldflags: `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
  hint: 'Or install the Temporal CLI yourself and set TEMPORAL_CLI_PATH.',
};

/** Options of {@link resolveTemporalCli}. */
export interface ResolveTemporalCliOptions {
  cacheDir: string;
  logger: Logger;
  onProgress?: (event: StackProgressEvent) => void;
}

/**
 * Absolute path of a `temporal` binary, in this order: `$TEMPORAL_CLI_PATH`;
 * `temporal` on `$PATH`; the cached build `<cacheDir>/bin/temporal-1.5.1`,
 * built with `go install` when absent (once, guarded by a lock file); without
 * Go, the binary the Temporal SDK downloads (needs internet access).
 * @throws StackError saying to install Go or set TEMPORAL_CLI_PATH
 */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH?.trim();
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!isExecutableFile(resolved)) {
      throw new StackError('temporal', `TEMPORAL_CLI_PATH is ${resolved}, which is not an executable file.`, 'Point TEMPORAL_CLI_PATH at a `temporal` binary, or unset it to let Cascade build one.');
    }
    return resolved;
  }
  const onPath = findOnPath('temporal');
  if (onPath !== undefined) return onPath;

  return resolveGoTool(TEMPORAL_CLI_TOOL, options, () => downloadWithSdk(options));
}

/** Lets the SDK download its dev server once, then finds the binary it left behind. */
async function downloadWithSdk(options: ResolveTemporalCliOptions): Promise<string> {
  const downloadDir = path.join(options.cacheDir, 'temporal-download');
  await mkdir(downloadDir, { recursive: true });
  const existing = await findTemporalBinary(downloadDir);
  if (existing !== undefined) return existing;
  options.onProgress?.({ service: 'temporal', step: 'Go is not installed; downloading the Temporal CLI through the Temporal SDK' });
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir }, ip: '127.0.0.1' },
    });
    await env.teardown();
  } catch (error) {
    throw new StackError(
      'temporal',
      `no Temporal CLI found and the SDK download failed: ${toErrorMessage(error)}`,
      'Install Go (Cascade then builds the Temporal CLI itself) or install the Temporal CLI and set TEMPORAL_CLI_PATH.',
      { cause: error },
    );
  }
  const downloaded = await findTemporalBinary(downloadDir);
  if (downloaded === undefined) {
    throw new StackError('temporal', `the SDK download left no temporal binary in ${downloadDir}.`, 'Install Go or set TEMPORAL_CLI_PATH.');
  }
  return downloaded;
}

async function findTemporalBinary(dir: string): Promise<string | undefined> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  for (const entry of entries) {
    const file = path.join(dir, entry);
    if (path.basename(file).startsWith('temporal') && !file.endsWith('.tar.gz') && !file.endsWith('.zip') && isExecutableFile(file)) {
      const info = await stat(file);
      if (info.size > 1_000_000) return file;
    }
  }
  return undefined;
}
