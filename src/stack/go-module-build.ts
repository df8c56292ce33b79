import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { findOnPath, isExecutableFile } from './find-executable';
import { withFileLock } from './file-lock';
import { runTool } from './tool-runner';
import type { StackProgressEvent } from './types';

/** One command of a Go module, installed under a versioned name in the cache. */
export interface GoCommand {
  /** Package path inside the module, e.g. `cmd/server`. */
  readonly packageDir: string;
  /** File name in `<cacheDir>/bin`, e.g. `temporal-server-1.29.1`. */
  readonly cachedName: string;
}

/**
 * Commands of one Go module version, built together with one `go build` inside
 * a Go module of the project whose go.mod requires that module at that version
 * (and so pins every dependency version, unlike `go install pkg@version`).
 */
export interface GoModuleBuild {
  /** Stack service the build is for (progress and errors). */
  readonly service: string;
  /** e.g. `go.temporal.io/server`. */
  readonly module: string;
  /** Without the `v`, e.g. `1.29.1`. */
  readonly version: string;
  readonly commands: readonly GoCommand[];
  /** The project's Go module the commands are built in (its go.mod requires `module` at `version`). */
  readonly buildModuleDir: string;
  /** `-ldflags` of the build. @default '-s -w' */
  readonly ldflags?: string;
  /** What is built, for progress, e.g. "Temporal server 1.29.1". */
  readonly label: string;
  /** Hint of the StackError when the build fails. */
  readonly hint: string;
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly onProgress?: (event: StackProgressEvent) => void;
}

/**
 * Absolute paths of the build's commands (in `build.commands` order) in
 * `<cacheDir>/bin`, built with `go build` in `buildModuleDir` when one is
 * absent, once across processes (a lock file), from the Go module proxy. Go's
 * own module and build caches are shared by every build, so a module that
 * pins the dependency versions of an earlier build compiles only what differs.
 * @returns undefined when Go is not installed and something must be built
 * @throws StackError with the build log's last lines when `go build` fails
 */
export async function provideGoModuleCommands(build: GoModuleBuild): Promise<string[] | undefined> {
  const binDir = path.join(build.cacheDir, 'bin');
  const targets = build.commands.map((command) => path.join(binDir, command.cachedName));
  const allBuilt = () => targets.every((target) => isExecutableFile(target));
  if (allBuilt()) return targets;
  const firstTarget = targets[0];
  if (firstTarget === undefined) return [];
  return withFileLock(
    `${firstTarget}.lock`,
    async () => {
      if (allBuilt()) return targets; // built by whoever held the lock
      const go = findOnPath('go');
      if (go === undefined) return undefined;
      await buildWithGo(go, binDir, build);
      return targets;
    },
    { onWait: (pid) => build.onProgress?.({ service: build.service, step: `waiting for the ${build.label} build of process ${pid}` }) },
  );
}

async function buildWithGo(go: string, binDir: string, build: GoModuleBuild): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const gobin = await mkdtemp(path.join(binDir, '.go-build-'));
  const ldflags = `-ldflags=${build.ldflags ?? '-s -w'}`;
  const packages = build.commands.map((command) => `${build.module}/${command.packageDir}`);
  try {
    const elapsed = await runTool({
      service: build.service,
      step: `building ${build.label} with go build (first run only, a few minutes)`,
      command: go,
      args: ['build', ldflags, '-o', `${gobin}${path.sep}`, ...packages],
      env: { ...process.env, CGO_ENABLED: '0' },
      cwd: build.buildModuleDir,
      logFile: path.join(build.cacheDir, 'logs', `${build.commands[0]?.cachedName ?? 'go'}-build.log`),
      hint: build.hint,
      onProgress: build.onProgress,
    });
    for (const command of build.commands) {
      await rename(path.join(gobin, path.basename(command.packageDir)), path.join(binDir, command.cachedName));
    }
    build.logger.info({ module: build.module, version: build.version, seconds: Math.round(elapsed / 1000) }, `built ${build.label}`);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}
