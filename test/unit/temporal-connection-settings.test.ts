import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, isConfigError } from '../../src/config';
import { describeTemporalConnection, loadTemporalConnectionSettings, toTemporalConnectionOptions } from '../../src/temporal/connection-options';
import { type TestCertificates, createTestCertificates } from '../support/test-certificates';

/** The message of the ConfigError `load` throws. */
function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(isConfigError(error), String(error));
    return error.message;
  }
  assert.fail('no ConfigError');
}

describe('Temporal connection settings (@temporalio/envconfig: TEMPORAL_* and TOML profiles)', () => {
  let pki: TestCertificates;
  const noFile = { HOME: '/nonexistent' };

  before(async () => {
    pki = await createTestCertificates();
  });

  it('when only TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE are set, then the connection is plain text to them, as before', () => {
    const config = loadConfig({ ...noFile, TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'prod' });
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.temporal.namespace, 'prod');
    assert.deepEqual(toTemporalConnectionOptions(config.temporal.connection), { address: 'temporal:7233', tls: false });
  });

  it('when nothing is set, then localhost:7233 and namespace default are used', () => {
    const settings = loadTemporalConnectionSettings(noFile);
    assert.equal(settings.address, 'localhost:7233');
    assert.equal(settings.namespace, 'default');
    assert.equal(settings.tls, undefined);
  });

  it('when an API key is set, then TLS is on and the description never shows the key', () => {
    const settings = loadTemporalConnectionSettings({ ...noFile, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key-value' });
    assert.notEqual(settings.tls, undefined);
    assert.equal(toTemporalConnectionOptions(settings).apiKey, 'secret-key-value');
    assert.doesNotMatch(describeTemporalConnection(settings), /secret-key-value/);
  });

  it('when a certificate file is missing, then loading fails naming the variable and the path', () => {
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.crt', TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey }));
    assert.match(message, /TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read \/nonexistent\/client\.crt: ENOENT/);
  });

  it('when the key does not match the client certificate, then loading fails naming the key variable', () => {
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: pki.strangerKey }));
    assert.match(message, /TEMPORAL_TLS_CLIENT_KEY_PATH: does not match the client certificate/);
  });

  it('when a certificate is given without its key, then loading says both are needed', () => {
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert }));
    assert.match(message, /TEMPORAL_TLS_CLIENT_KEY_PATH \| TEMPORAL_TLS_CLIENT_KEY_DATA: is needed with a client certificate/);
  });

  it('when the CA data is not a certificate, then loading fails naming the variable without echoing the data', () => {
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'not-a-pem-secretish' }));
    assert.match(message, /TEMPORAL_TLS_SERVER_CA_CERT_DATA: is not a PEM certificate/);
    assert.doesNotMatch(message, /secretish/);
  });

  it('when TEMPORAL_CONFIG_FILE cannot be read, then loading fails naming it', () => {
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' }));
    assert.match(message, /TEMPORAL_CONFIG_FILE: cannot read \/nonexistent\/temporal\.toml: ENOENT/);
  });

  it('when TEMPORAL_PROFILE names a profile the file lacks, then loading fails naming TEMPORAL_PROFILE', () => {
    const file = path.join(pki.dir, 'profiles.toml');
    writeFileSync(file, '[profile.default]\naddress = "a:1"\n');
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' }));
    assert.match(message, /TEMPORAL_PROFILE: Profile 'cloud' not found/);
  });

  it('when a profile file sets address, namespace, TLS and an API key, then they are used and the environment overrides them', () => {
    const file = path.join(pki.dir, 'cloud.toml');
    writeFileSync(file, ['[profile.cloud]', 'address = "ns.acct.tmprl.cloud:7233"', 'namespace = "ns.acct"', 'api_key = "from-file"', ''].join('\n'));
    const fromFile = loadTemporalConnectionSettings({ ...noFile, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    assert.equal(fromFile.address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(fromFile.namespace, 'ns.acct');
    assert.equal(fromFile.apiKey, 'from-file');
    assert.notEqual(fromFile.tls, undefined);
    const overridden = loadTemporalConnectionSettings({ ...noFile, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'other', TEMPORAL_API_KEY: 'from-env' });
    assert.equal(overridden.namespace, 'other');
    assert.equal(overridden.apiKey, 'from-env');
  });

  it('when a profile key file does not match its certificate, then the error names the profile key and the file', () => {
    const file = path.join(pki.dir, 'mtls.toml');
    writeFileSync(file, ['[profile.default.tls]', `client_cert_path = "${pki.clientCert}"`, `client_key_path = "${pki.strangerKey}"`, ''].join('\n'));
    const message = configErrorOf(() => loadConfig({ ...noFile, TEMPORAL_CONFIG_FILE: file }));
    assert.match(message, /tls\.client_key_path of profile "default" in .*mtls\.toml: does not match the client certificate/);
  });
});
