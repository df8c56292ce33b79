#!/usr/bin/env node
// Generates the Prisma Client (prisma/schema.prisma → src/generated/prisma)
// offline and quietly. Used by `npm run build` before `tsc`.
//
// Why a wrapper: the Prisma CLI resolves (and, if missing, downloads) a
// schema-engine binary before running any command, even `generate`, which
// never executes it. Installs here skip @prisma/engines' download, so we point
// PRISMA_SCHEMA_ENGINE_BINARY at an existing file (this Node binary) unless
// the caller set it. Telemetry and update checks (network) are switched off.
//
// Usage: node scripts/prisma-generate.mjs [extra `prisma generate` args]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');
const outputDir = path.join(projectRoot, 'src', 'generated', 'prisma');

function fail(message) {
  process.stderr.write(`prisma-generate: ${message}\n`);
  process.exit(1);
}

function resolvePrismaCli() {
  const require = createRequire(path.join(projectRoot, 'package.json'));
  let packageJsonPath;
  try {
    packageJsonPath = require.resolve('prisma/package.json');
  } catch (error) {
    fail(`the Prisma CLI (npm package "prisma") is not installed in ${projectRoot}; run \`npm ci\` first. (${error.message})`);
  }
  const { bin } = require(packageJsonPath);
  const relative = typeof bin === 'string' ? bin : bin?.prisma;
  if (!relative) fail(`cannot find the "prisma" bin entry in ${packageJsonPath}`);
  const cli = path.join(path.dirname(packageJsonPath), relative);
  if (!existsSync(cli)) fail(`the Prisma CLI entry point ${cli} does not exist; reinstall dependencies with \`npm ci\``);
  return cli;
}

if (!existsSync(schemaPath)) fail(`schema not found at ${schemaPath}`);

const engineBinary = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
if (engineBinary && !existsSync(engineBinary)) {
  fail(`PRISMA_SCHEMA_ENGINE_BINARY is set to ${engineBinary}, which does not exist; unset it or point it at an existing file`);
}

const cli = resolvePrismaCli();
const env = {
  ...process.env,
  // `generate` never runs the schema engine; any existing file stops the download.
  PRISMA_SCHEMA_ENGINE_BINARY: engineBinary || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  PRISMA_DISABLE_WARNINGS: '1',
};

const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaPath, '--no-hints', ...process.argv.slice(2)], {
  cwd: projectRoot,
  env,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});

if (result.error) fail(`could not start the Prisma CLI (${cli}): ${result.error.message}`);
if (result.status !== 0) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  fail(`\`prisma generate\` failed (exit ${result.status ?? `signal ${result.signal}`}); see the output above`);
}
if (!existsSync(path.join(outputDir, 'client.ts'))) {
  process.stderr.write(result.stdout ?? '');
  fail(`\`prisma generate\` succeeded but ${path.relative(projectRoot, outputDir)}/client.ts is missing; check the generator block in prisma/schema.prisma`);
}
process.stdout.write(`prisma-generate: Prisma Client generated into ${path.relative(projectRoot, outputDir)}\n`);
