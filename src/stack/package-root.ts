import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../shared/parse-helpers';

let cachedRoot: string | undefined;

/**
 * The directory holding Cascade's own package.json, found by walking up from
 * this module (works from `src/` under a TS runner and from `dist/src/`).
 * Files shipped with the project (config/, scripts/) are resolved against it,
 * never against the current working directory.
 */
export function findPackageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && isCascadeManifest(manifest)) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Cascade's package.json above ${__dirname}`);
    dir = parent;
  }
}

function isCascadeManifest(file: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(parsed) && parsed['name'] === 'cascade';
  } catch {
    return false;
  }
}
