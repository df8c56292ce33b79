import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { type ClientConfigProfile, type ConfigDataSource, loadClientConfigProfile } from '@temporalio/envconfig';
import { ConfigError, type ConfigIssue } from '../config/config-error';

/** Where Cascade connects to Temporal when nothing says otherwise. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
/** The namespace when neither `TEMPORAL_NAMESPACE` nor a profile names one. */
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * The environment variables of Temporal's own client configuration
 * (`@temporalio/envconfig`), which Cascade reads as every Temporal tool does.
 */
export const TEMPORAL_CONNECTION_VARIABLES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
] as const;

/** TLS of the Temporal connection, with every file already read and checked. */
export interface TemporalTlsSettings {
  /** The name the server's certificate must carry (`TEMPORAL_TLS_SERVER_NAME`); default: the host of the address. */
  readonly serverName: string | undefined;
  /** PEM of the CA(s) that verify the server; default: the system's roots. */
  readonly serverCaCertificate: Buffer | undefined;
  /** PEM certificate and key Cascade presents (mTLS). */
  readonly clientCertificate: { readonly crt: Buffer; readonly key: Buffer } | undefined;
}

/**
 * How every Cascade process (bridge, worker, CLI, schedules) connects to
 * Temporal. Log {@link describeTemporalConnection}, never this object (it
 * holds the API key and the client key).
 */
export interface TemporalConnectionSettings {
  readonly address: string;
  readonly namespace: string;
  /** undefined: plain text. */
  readonly tls: TemporalTlsSettings | undefined;
  readonly apiKey: string | undefined;
  /** Extra gRPC headers of the profile (`grpc_meta`, `TEMPORAL_GRPC_META_*`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The profile and file the settings came from, for messages. */
  readonly source: { readonly profile: string; readonly file: string | undefined };
}

type DataField = 'clientCert' | 'clientKey' | 'serverCACert';

const FIELD_VARIABLES: Record<DataField, { path: string; data: string; toml: string }> = {
  clientCert: { path: 'TEMPORAL_TLS_CLIENT_CERT_PATH', data: 'TEMPORAL_TLS_CLIENT_CERT_DATA', toml: 'tls.client_cert' },
  clientKey: { path: 'TEMPORAL_TLS_CLIENT_KEY_PATH', data: 'TEMPORAL_TLS_CLIENT_KEY_DATA', toml: 'tls.client_key' },
  serverCACert: { path: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', data: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA', toml: 'tls.server_ca_cert' },
};

/**
 * Reads Temporal's client configuration the way the Temporal CLI and SDKs do:
 * the TOML profile (`TEMPORAL_PROFILE`, default `default`) of
 * `TEMPORAL_CONFIG_FILE` (default `~/.config/temporalio/temporal.toml` when it
 * exists), overridden by the `TEMPORAL_*` variables. Reads every certificate
 * and key and checks that they parse and belong together.
 * @throws ConfigError naming the setting to fix (a variable, or a key of the profile)
 */
export function loadTemporalConnectionSettings(env: NodeJS.ProcessEnv): TemporalConnectionSettings {
  const vars = toSetVariables(env);
  const file = vars.TEMPORAL_CONFIG_FILE ?? toDefaultConfigFile(vars);
  const profileName = vars.TEMPORAL_PROFILE ?? 'default';
  if (vars.TEMPORAL_CONFIG_FILE !== undefined) {
    try {
      readFileSync(vars.TEMPORAL_CONFIG_FILE);
    } catch (error) {
      throw new ConfigError([{ variable: 'TEMPORAL_CONFIG_FILE', message: `cannot read ${vars.TEMPORAL_CONFIG_FILE}: ${toReason(error)}` }]);
    }
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars, configFileStrict: true });
  } catch (error) {
    const reason = toReason(error);
    const variable = /^Profile '/.test(reason) ? 'TEMPORAL_PROFILE' : vars.TEMPORAL_CONFIG_FILE !== undefined ? 'TEMPORAL_CONFIG_FILE' : `the Temporal config file ${file ?? ''}`.trim();
    throw new ConfigError([{ variable, message: `${reason}${file === undefined ? '' : ` (config file ${file}, profile "${profileName}")`}` }]);
  }
  const setting = (field: DataField, kind: 'path' | 'data') => {
    const names = FIELD_VARIABLES[field];
    const variable = kind === 'path' ? names.path : names.data;
    return vars[variable] !== undefined ? variable : `${names.toml}_${kind} of profile "${profileName}" in ${file ?? 'the Temporal config file'}`;
  };
  const issues: ConfigIssue[] = [];
  const address = profile.address ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!/^[^\s:]+:\d+$/.test(address)) {
    issues.push({ variable: vars.TEMPORAL_ADDRESS !== undefined ? 'TEMPORAL_ADDRESS' : `address of profile "${profileName}" in ${file ?? 'the Temporal config file'}`, message: 'must be host:port, e.g. localhost:7233' });
  }
  // As envconfig does, each TLS setting turns TLS on unless TEMPORAL_TLS=false; an API key alone does too.
  const tlsWanted = profile.tls === undefined ? profile.apiKey !== undefined : profile.tls.disabled !== true;
  const tls = tlsWanted ? toTls(profile.tls, setting, issues) : undefined;
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    address,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    tls,
    apiKey: profile.apiKey,
    metadata: { ...profile.grpcMeta },
    source: { profile: profileName, file },
  };
}

/** The options `Connection` (client) and `NativeConnection` (worker) share. */
export interface TemporalConnectOptions {
  readonly address: string;
  readonly tls: TLSConfig | false;
  readonly apiKey?: string;
  readonly metadata?: Record<string, string>;
}

/** Options for `Connection` (client) and `NativeConnection` (worker). */
export function toTemporalConnectionOptions(settings: TemporalConnectionSettings): TemporalConnectOptions {
  return {
    address: settings.address,
    tls: settings.tls === undefined ? false : toTlsConfig(settings.tls),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(Object.keys(settings.metadata).length > 0 ? { metadata: { ...settings.metadata } } : {}),
  };
}

/** One line for logs: address, namespace, TLS mode, whether an API key is set (never the key). */
export function describeTemporalConnection(settings: TemporalConnectionSettings): string {
  const tls = settings.tls === undefined ? 'plain text' : settings.tls.clientCertificate ? 'mTLS' : 'TLS';
  return `${settings.address} (namespace ${settings.namespace}, ${tls}${settings.apiKey === undefined ? '' : ', API key'})`;
}

function toTlsConfig(tls: TemporalTlsSettings): TLSConfig {
  return {
    ...(tls.serverName === undefined ? {} : { serverNameOverride: tls.serverName }),
    ...(tls.serverCaCertificate === undefined ? {} : { serverRootCACertificate: tls.serverCaCertificate }),
    ...(tls.clientCertificate === undefined ? {} : { clientCertPair: { crt: tls.clientCertificate.crt, key: tls.clientCertificate.key } }),
  };
}

function toTls(
  tls: ClientConfigProfile['tls'],
  setting: (field: DataField, kind: 'path' | 'data') => string,
  issues: ConfigIssue[],
): TemporalTlsSettings {
  const read = (field: DataField): { bytes: Buffer; setting: string } | undefined => {
    const source: ConfigDataSource | undefined = tls?.[field];
    if (source === undefined) return undefined;
    if ('path' in source) {
      const name = setting(field, 'path');
      try {
        return { bytes: readFileSync(source.path), setting: name };
      } catch (error) {
        issues.push({ variable: name, message: `cannot read ${source.path}: ${toReason(error)}` });
        return undefined;
      }
    }
    return { bytes: Buffer.from(source.data), setting: setting(field, 'data') };
  };
  const ca = read('serverCACert');
  const crt = read('clientCert');
  const key = read('clientKey');
  let certificate: X509Certificate | undefined;
  if (ca !== undefined) {
    try {
      new X509Certificate(ca.bytes);
    } catch (error) {
      issues.push({ variable: ca.setting, message: `is not a PEM certificate: ${toReason(error)}` });
    }
  }
  if (crt !== undefined) {
    try {
      certificate = new X509Certificate(crt.bytes);
    } catch (error) {
      issues.push({ variable: crt.setting, message: `is not a PEM certificate: ${toReason(error)}` });
    }
  }
  if (key !== undefined) {
    try {
      const privateKey = createPrivateKey(key.bytes);
      if (certificate !== undefined && !certificate.checkPrivateKey(privateKey)) {
        issues.push({ variable: key.setting, message: `does not match the client certificate of ${crt?.setting ?? 'the profile'} (subject ${certificate.subject.replace(/\n/g, ', ')})` });
      }
    } catch (error) {
      issues.push({ variable: key.setting, message: `is not a PEM private key: ${toReason(error)}` });
    }
  }
  const certVariable = `${FIELD_VARIABLES.clientCert.path} | ${FIELD_VARIABLES.clientCert.data}`;
  const keyVariable = `${FIELD_VARIABLES.clientKey.path} | ${FIELD_VARIABLES.clientKey.data}`;
  if (tls?.clientCert !== undefined && tls.clientKey === undefined) issues.push({ variable: keyVariable, message: 'is needed with a client certificate (mTLS needs both)' });
  if (tls?.clientKey !== undefined && tls.clientCert === undefined) issues.push({ variable: certVariable, message: 'is needed with a client key (mTLS needs both)' });
  return {
    serverName: tls?.serverName,
    serverCaCertificate: ca?.bytes,
    clientCertificate: crt !== undefined && key !== undefined ? { crt: crt.bytes, key: key.bytes } : undefined,
  };
}

/** The set (non-empty) variables: an empty `TEMPORAL_*` counts as unset. */
function toSetVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** `$XDG_CONFIG_HOME/temporalio/temporal.toml` (or `~/.config/…`), where envconfig looks without TEMPORAL_CONFIG_FILE. */
function toDefaultConfigFile(vars: Record<string, string>): string | undefined {
  const base = vars.XDG_CONFIG_HOME ?? (vars.HOME === undefined ? undefined : path.join(vars.HOME, '.config'));
  if (base === undefined || os.platform() === 'win32' || os.platform() === 'darwin') return undefined;
  return path.join(base, 'temporalio', 'temporal.toml');
}

function toReason(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message.replace(/^[A-Z]+: /, '')}` : error.message;
  return String(error);
}
