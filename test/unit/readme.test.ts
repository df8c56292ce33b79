import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { environmentSchema, listConfigVariables } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const configurationPage = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = /^#+ (.*)$/.exec(line);
    if (heading?.[1] !== undefined && !inFence) anchors.add(anchorOf(heading[1]));
  }
  return anchors;
}

describe('README', () => {
  it('when a variable is read by the configuration, then docs/configuration.md documents it in the table', () => {
    const missing = listConfigVariables().filter((name) => !new RegExp(`^\\| \`${name}\` \\|`, 'm').test(configurationPage));
    assert.deepEqual(missing, []);
  });

  it('when a variable has a default, then docs/configuration.md shows that default', () => {
    const defaults = environmentSchema.parse({});
    for (const [name, value] of Object.entries(defaults)) {
      if (value === undefined) continue;
      const row = configurationPage.split('\n').find((line) => line.startsWith(`| \`${name}\` |`)) ?? '';
      assert.ok(row.includes(`\`${String(value)}\``), `docs/configuration.md row of ${name} should show the default ${String(value)}: ${row}`);
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

  it('when the README or a docs/ page links a file or a heading of the repository, then it exists', () => {
    const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join('docs', name))];
    const broken: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue;
        const [file = '', anchor] = target.split('#');
        const linked = file === '' ? path.join(ROOT, page) : path.join(ROOT, path.dirname(page), file);
        if (!fs.existsSync(linked)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor !== undefined && !anchorsOf(fs.readFileSync(linked, 'utf8')).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
