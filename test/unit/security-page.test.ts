import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { loadTemporalConnectionSettings } from '../../src/temporal/connection-options';

const ROOT = path.join(__dirname, '..', '..', '..');
const page = readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');

/** The page's TOML examples, joined as one temporal.toml. */
const profiles = [...page.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');

/** The threat-model table's rows, as cells. */
const threatRows = () => {
  const section = page.slice(page.indexOf('## Threat model'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| surface') && !line.startsWith('|---'))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
};

describe('docs/security.md (the Security section)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-security-page-'));
    writeFileSync(path.join(dir, 'temporal.toml'), profiles);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (profile: string) => loadTemporalConnectionSettings({ TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'), TEMPORAL_PROFILE: profile });

  it('when its Temporal Cloud profile is loaded, then TLS is on with the API key, to the address and namespace shown', () => {
    const settings = load('cloud');
    assert.equal(settings.address, 'my-ns.a1b2c.tmprl.cloud:7233');
    assert.equal(settings.namespace, 'my-ns.a1b2c');
    assert.ok(settings.tls, 'an API key turns TLS on');
    assert.equal(typeof settings.apiKey, 'string');
  });

  it('when its mTLS profile is loaded, then the certificates it names are read (here: missing, named in the error)', () => {
    assert.throws(() => load('mtls'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /\/etc\/cascade\/(temporal-ca|cascade|cascade-key)\.pem/);
      return true;
    });
  });

  it('when the threat model lists a surface, then it says who reaches it, what protects it and names tests that exist', () => {
    const rows = threatRows();
    assert.ok(rows.length >= 8, `${rows.length} rows`);
    for (const [surface = '', who = '', protection = '', tested = ''] of rows) {
      assert.ok(who !== '' && protection !== '', `${surface}: who and what protects it`);
      const files = [...tested.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((m) => m[1] ?? '');
      assert.ok(files.length > 0, `${surface}: no test named`);
      for (const file of files) assert.ok(existsSync(path.join(ROOT, file)), `${surface}: ${file} does not exist`);
    }
  });
});
