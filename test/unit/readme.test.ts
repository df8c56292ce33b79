import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { environmentSchema, listConfigVariables } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('when a variable is read by the configuration, then the README documents it in the table', () => {
    const missing = listConfigVariables().filter((name) => !new RegExp(`^\\| \`${name}\` \\|`, 'm').test(readme));
    assert.deepEqual(missing, []);
  });

  it('when a variable has a default, then the README shows that default', () => {
    const defaults = environmentSchema.parse({});
    for (const [name, value] of Object.entries(defaults)) {
      if (value === undefined) continue;
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`)) ?? '';
      assert.ok(row.includes(`\`${String(value)}\``), `README row of ${name} should show the default ${String(value)}: ${row}`);
    }
  });

  it('when CI runs, then it runs the test command the README gives', () => {
    assert.match(readme, /^npm test\b/m);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^npm test\b/m);
  });

  it('when CI runs the benchmark smoke test, then it is the command the README gives', () => {
    assert.match(readme, /npm run bench -- --quick/);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^npm run bench -- --quick\b/m);
  });
});
