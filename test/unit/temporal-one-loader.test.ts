import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../../src');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });

/** Every place product code opens a Temporal connection or builds a Temporal client, as `file: code`. */
const connectionSites = () =>
  sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const isTemporal = /from '@temporalio\/(client|worker)'/.test(text);
    return [...text.matchAll(/(?:NativeConnection\.connect|Connection\.connect|Connection\.lazy|new Connection|new Client)\(([^\n]*)/g)]
      .filter(() => isTemporal)
      .map((match) => ({ file: path.relative(SRC, file), call: match[0] }));
  });

describe('one Temporal connection loader (bridge, worker, every CLI command, schedules)', () => {
  it('when product code connects to Temporal, then it passes the options of toTemporalConnectionOptions (the envconfig loader), except the local stack probing its own plain-text server', () => {
    const sites = connectionSites();
    assert.ok(sites.length >= 3, JSON.stringify(sites));
    const outside = sites.filter(({ file, call }) => !file.startsWith(`stack${path.sep}`) && !call.includes('toTemporalConnectionOptions(') && !call.startsWith('new Client({ connection,'));
    assert.deepEqual(outside, [], 'a Temporal connection built from anything but the loaded settings');
    assert.deepEqual(
      sites.filter(({ call }) => call.startsWith('new Client(')).map(({ file }) => file),
      [path.join('app', 'clients.ts')],
      'one Temporal client factory: createTemporalClient, used by the bridge, the CLI and ensureSchedules',
    );
  });

  it('when the configuration loads, then the Temporal connection comes from loadTemporalConnectionSettings alone', () => {
    const config = readFileSync(path.join(SRC, 'config', 'config.ts'), 'utf8');
    assert.match(config, /loadTemporalConnectionSettings\(/);
    const readers = sourceFiles(SRC).filter((file) => /env\.TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS)\b|\['TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS)'\]/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(readers.map((file) => path.relative(SRC, file)).filter((file) => !file.startsWith(`stack${path.sep}`) && !file.startsWith(`cli${path.sep}`)), [], 'no module reads TEMPORAL_* itself');
  });
});
