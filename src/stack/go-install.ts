import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { findOnPath, isExecutableFile } from './find-executable';
import { withFileLock } from './file-lock';
import { StackError } from './stack-error';
import { runTool } from './tool-runner';
import type { StackProgressEvent } from './types';

/** A command-line tool built from the Go module proxy with `go install pkg@version`. */
export interface GoTool {
  /** Name used in progress, errors and log files, e.g. `temporal`, `helm`. */
  readonly service: string;
  /** Package of the main command, e.g. `helm.sh/helm/v3/cmd/helm`. */
  readonly packagePath: string;
  /** Version without the leading `v`, e.g. `3.22.0`. */
  readonly version: string;
  /** Name of the binary `go install` writes (the package's last path element). */
  readonly binaryName: string;
  /** Name in progress messages. @default binaryName */
  readonly displayName?: string;
  /** Extra `-ldflags`, appended to `-s -w` (e.g. `-X main.version=…`). */
  readonly ldflags?: string;
  /** What to do when the build fails, besides the log. */
  readonly hint: string;
}

/** Where and how {@link resolveGoTool} and {@link buildGoTool} work. */
export interface GoToolContext {
  cacheDir: string;
  logger: Logger;
  onProgress?: (event: StackProgressEvent) => void;
}

/** `<cacheDir>/bin/<binaryName>-<version>`: where a Go tool's build is kept. */
export function toCachedGoToolPath(cacheDir: string, tool: GoTool): string {
  return path.join(cacheDir, 'bin', `${tool.binaryName}-${tool.version}`);
}

/**
 * The cached build of `tool`, built with `go install` when absent (once,
 * guarded by a lock file shared between processes). Without Go, `withoutGo`
 * provides the tool instead (e.g. a download), when given.
 * @throws StackError when Go is not installed (and no `withoutGo`) or the build fails
 */
export async function resolveGoTool(tool: GoTool, ctx: GoToolContext, withoutGo?: () => Promise<string>): Promise<string> {
  const cached = toCachedGoToolPath(ctx.cacheDir, tool);
  if (isExecutableFile(cached)) return cached;
  return withFileLock(
    `${cached}.lock`,
    async () => {
      if (isExecutableFile(cached)) return cached; // built by whoever held the lock
      const go = findOnPath('go');
      if (go !== undefined) return buildGoTool(go, tool, ctx);
      if (withoutGo !== undefined) return withoutGo();
      throw new StackError(tool.service, `Go is not on PATH; ${tool.binaryName} ${tool.version} is built with \`go install ${tool.packagePath}@v${tool.version}\`.`, `Install a current Go release. ${tool.hint}`);
    },
    { onWait: (pid) => ctx.onProgress?.({ service: tool.service, step: `waiting for the ${tool.displayName ?? tool.binaryName} build of process ${pid}` }) },
  );
}

/**
 * Builds `tool` with `go install` into a private GOBIN and moves the binary to
 * {@link toCachedGoToolPath}. The caller holds the lock.
 * @returns the cached binary
 */
export async function buildGoTool(go: string, tool: GoTool, ctx: GoToolContext): Promise<string> {
  const target = toCachedGoToolPath(ctx.cacheDir, tool);
  const binDir = path.dirname(target);
  await mkdir(binDir, { recursive: true });
  const gobin = await mkdtemp(path.join(binDir, `.${tool.binaryName}-build-`));
  try {
    const elapsed = await runTool({
      service: tool.service,
      step: `building ${tool.displayName ?? tool.binaryName} ${tool.version} with go install (first run only, several minutes)`,
      command: go,
      args: ['install', `-ldflags=-s -w${tool.ldflags === undefined ? '' : ` ${tool.ldflags}`}`, `${tool.packagePath}@v${tool.version}`],
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      logFile: path.join(ctx.cacheDir, 'logs', `${tool.binaryName}-${tool.version}-build.log`),
      hint: `Check that Go can reach the module proxy (GOPROXY). ${tool.hint}`,
      onProgress: ctx.onProgress,
    });
    await rename(path.join(gobin, tool.binaryName), target);
    ctx.logger.info({ target, seconds: Math.round(elapsed / 1000) }, `built ${tool.binaryName}`);
    return target;
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

/** A Go module's source tree, downloaded into Go's module cache. */
export interface GoModuleSource {
  readonly modulePath: string;
  /** Version without the leading `v`. */
  readonly version: string;
  /** Read-only directory of the module's files in the module cache. */
  readonly dir: string;
}

/**
 * Downloads a Go module (`go mod download -json module@vX`) from the module
 * proxy into Go's module cache and returns where its files are. Go keeps the
 * cache itself: a second call answers at once.
 * @throws StackError when Go is not installed or the download fails
 */
export async function downloadGoModule(service: string, modulePath: string, version: string, ctx: GoToolContext): Promise<GoModuleSource> {
  const go = findOnPath('go');
  if (go === undefined) {
    throw new StackError(service, `Go is not on PATH; the module ${modulePath}@v${version} is downloaded with \`go mod download\`.`, 'Install a current Go release.');
  }
  const logFile = path.join(ctx.cacheDir, 'logs', `${modulePath.replace(/[^\w.-]+/g, '_')}-${version}-download.log`);
  await runTool({
    service,
    step: `downloading the Go module ${modulePath}@v${version}`,
    command: go,
    args: ['mod', 'download', '-json', `${modulePath}@v${version}`],
    // Outside any module: the download does not touch a go.mod.
    cwd: ctx.cacheDir,
    logFile,
    hint: 'Check that Go can reach the module proxy (GOPROXY).',
    onProgress: ctx.onProgress,
  });
  const output = await readFile(logFile, 'utf8');
  const dir = /"Dir":\s*"((?:[^"\\]|\\.)*)"/.exec(output)?.[1];
  if (dir === undefined) {
    throw new StackError(service, `\`go mod download -json ${modulePath}@v${version}\` named no directory. Log ${logFile}.`, 'Check that Go can reach the module proxy (GOPROXY).');
  }
  return { modulePath, version, dir: JSON.parse(`"${dir}"`) as string };
}
