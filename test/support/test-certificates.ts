import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** PEM files of one test PKI, made with the `openssl` CLI. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that issued the server and client certificates. */
  readonly caCert: string;
  /** A CA that issued nothing here (a "wrong CA"). */
  readonly otherCaCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate issued by the other CA, with its key. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  /** The name in the server certificate (DNS SAN), besides IP 127.0.0.1. */
  readonly serverName: string;
}

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await execFileAsync('openssl', [...args], { cwd: dir });
}

async function createCa(dir: string, name: string): Promise<void> {
  await openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

async function createLeaf(dir: string, name: string, ca: string, extensions: string): Promise<void> {
  await writeFile(path.join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** A CA, a server certificate for `temporal.test` and 127.0.0.1, a client certificate, and a second, unrelated CA. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cascade-test-pki-'));
  const serverName = 'temporal.test';
  await createCa(dir, 'test-ca');
  await createCa(dir, 'other-ca');
  await createLeaf(dir, 'server', 'test-ca', `basicConstraints=CA:FALSE\nsubjectAltName=DNS:${serverName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n`);
  await createLeaf(dir, 'client', 'test-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  await createLeaf(dir, 'stranger', 'other-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: file('test-ca.crt'),
    otherCaCert: file('other-ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.crt'),
    strangerKey: file('stranger.key'),
    serverName,
  };
}
