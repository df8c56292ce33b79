import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from './stack/package-root';

let cached: string | undefined;

/** Cascade's version from its package.json (e.g. `0.1.0`), read once. */
export function readPackageVersion(): string {
  cached ??= (JSON.parse(readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
