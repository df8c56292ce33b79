#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when they are missing
// or older than package-lock.json, then builds (Prisma client, TypeScript,
// workflow bundle) when a source is newer than the last build. Needs nothing
// but Node and npm, so it can run before `npm ci`. Used by `npm start` and
// `npm test` (their pre-scripts) and by .ci/run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'generated') newest = Math.max(newest, newestUnder(full));
    } else newest = Math.max(newest, mtime(full));
  }
  return newest;
}

function run(step, args) {
  process.stderr.write(`[bootstrap] ${step}…\n`);
  const started = Date.now();
  const result = spawnSync(npm, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stderr.write(`[bootstrap] ${step} failed (exit ${result.status ?? result.signal}). Fix the error above and run again.\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`[bootstrap] ${step} done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

const installedStamp = path.join(root, 'node_modules', '.package-lock.json');
if (mtime(installedStamp) < Math.max(mtime(path.join(root, 'package-lock.json')), mtime(path.join(root, 'package.json')))) {
  run('installing npm dependencies (first run: about a minute)', ['ci', '--no-audit', '--no-fund']);
}

const buildStamp = path.join(root, 'dist', '.build-stamp');
const sources = Math.max(
  ...['src', 'workflows', 'activities', 'test', 'bench', 'prisma', 'scripts'].map((d) => newestUnder(path.join(root, d))),
  mtime(path.join(root, 'tsconfig.json')),
  mtime(installedStamp),
);
if (mtime(buildStamp) < sources) {
  run('building (Prisma client, TypeScript, workflow bundle)', ['run', 'build', '--silent']);
  fs.mkdirSync(path.dirname(buildStamp), { recursive: true });
  fs.writeFileSync(buildStamp, new Date().toISOString());
}
