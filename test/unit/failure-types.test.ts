import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  AWS_ERROR_TABLE,
  DRIVER_ADAPTER_KIND_TABLE,
  FAILURE_TYPES,
  NETWORK_ERROR_TABLE,
  POSTGRES_SQLSTATE_CLASS_TABLE,
  POSTGRES_SQLSTATE_TABLE,
  PRISMA_ERROR_TABLE,
  type ErrorRule,
} from '../../src/errors';

const ROOT = path.join(__dirname, '..', '..', '..');
const TABLES: ReadonlyArray<Readonly<Record<string, ErrorRule>>> = [
  AWS_ERROR_TABLE,
  NETWORK_ERROR_TABLE,
  POSTGRES_SQLSTATE_TABLE,
  POSTGRES_SQLSTATE_CLASS_TABLE,
  PRISMA_ERROR_TABLE,
  DRIVER_ADAPTER_KIND_TABLE,
];

/** Every .ts file of the directories that raise failures. */
function sourceText(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'generated') walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  for (const dir of ['src', 'activities', 'workflows']) walk(path.join(ROOT, dir));
  return files.filter((file) => !file.endsWith(path.join('shared', 'failure-types.ts'))).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
}

describe('failure types (one as-const object)', () => {
  it('when a classification table names a failure type, then it is one of FAILURE_TYPES, spelt as its key', () => {
    for (const [key, value] of Object.entries(FAILURE_TYPES)) assert.equal(value, key);
    const known = new Set<string>(Object.values(FAILURE_TYPES));
    for (const table of TABLES) for (const [code, rule] of Object.entries(table)) assert.ok(known.has(rule.type), `${code}: ${rule.type}`);
  });

  it('when a failure type is listed, then some code raises it (no stale names)', () => {
    const text = sourceText();
    const unused = Object.keys(FAILURE_TYPES).filter((type) => !text.includes(`'${type}'`) && !text.includes(`FAILURE_TYPES.${type}`));
    assert.deepEqual(unused, []);
  });
});
