import net, { isIP } from 'node:net';
import tls, { type PeerCertificate, checkServerIdentity } from 'node:tls';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error';
import { type TemporalConnectionSettings, describeTemporalConnection } from './connection-options';

/** What {@link probeTemporalConnection} found: the server answered as configured, or could not be reached (yet). */
export type TemporalProbeResult = { readonly reachable: true } | { readonly reachable: false; readonly reason: string };

/** OpenSSL verification codes: the configured CA does not vouch for the server's certificate. */
const UNVERIFIED_SERVER_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** Network errors that say nothing about the settings: the server is down or not there yet. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The HTTP/2 client preface and an empty SETTINGS frame: what a gRPC client sends first. */
const HTTP2_CLIENT_START = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
/** Frame type of SETTINGS, the 4th byte of an HTTP/2 frame header. */
const HTTP2_SETTINGS_FRAME = 4;

/**
 * Opens one connection to the Temporal frontend with the configured TLS (CA,
 * server name, client certificate), sends the HTTP/2 preface and waits for
 * the server's SETTINGS frame, which a gRPC server sends once it accepted the
 * connection (with mTLS: the client certificate). Sends no request.
 * @throws ConfigError naming the setting when the server answers but not as configured:
 *   a CA that does not verify it (with the server name used), a server name its certificate
 *   does not carry, a client certificate it requires or refuses, TLS against a plain-text
 *   server or plain text against a TLS server.
 */
export function probeTemporalConnection(settings: TemporalConnectionSettings, timeoutMs = 5000): Promise<TemporalProbeResult> {
  const colon = settings.address.lastIndexOf(':');
  const host = settings.address.slice(0, colon);
  const port = Number(settings.address.slice(colon + 1));
  const tlsSettings = settings.tls;
  const serverName = tlsSettings?.serverName ?? host;
  return new Promise((resolve, reject) => {
    const socket: net.Socket = tlsSettings
      ? tls.connect({
          host,
          port,
          ALPNProtocols: ['h2'],
          ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
          checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert),
          ...(tlsSettings.serverCaCertificate === undefined ? {} : { ca: tlsSettings.serverCaCertificate }),
          ...(tlsSettings.clientCertificate === undefined ? {} : { cert: tlsSettings.clientCertificate.crt, key: tlsSettings.clientCertificate.key }),
        })
      : net.connect({ host, port });
    let settled = false;
    const finish = (outcome: TemporalProbeResult | ConfigError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof ConfigError) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish({ reachable: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    let handshakeDone = false;
    socket.once(tlsSettings ? 'secureConnect' : 'connect', () => {
      handshakeDone = true;
      socket.write(HTTP2_CLIENT_START);
    });
    socket.once('data', (data: Buffer) => {
      if (data.length >= 4 && data[3] === HTTP2_SETTINGS_FRAME) finish({ reachable: true });
      else finish(toProbeOutcome(settings, serverName, handshakeDone, Object.assign(new Error(`the server answered with bytes that are not HTTP/2 (${data.subarray(0, 2).toString('hex')}…)`), { code: 'EPROTO' })));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(toProbeOutcome(settings, serverName, handshakeDone, error)));
    socket.once('close', () => finish(toProbeOutcome(settings, serverName, handshakeDone, Object.assign(new Error('the server closed the connection without an HTTP/2 answer'), { code: 'ECONNRESET' }))));
  });
}

/**
 * Probes the connection once at start-up: a misconfigured connection stops
 * the process ({@link ConfigError}); an unreachable server is only logged (the
 * process starts, reports unready and connects when Temporal is back).
 */
export async function assertTemporalConnection(settings: TemporalConnectionSettings, logger: Logger): Promise<void> {
  const result = await probeTemporalConnection(settings);
  if (result.reachable) logger.info({ temporal: describeTemporalConnection(settings) }, 'Temporal connection checked');
  else logger.warn({ temporal: describeTemporalConnection(settings), reason: result.reason }, 'Temporal unreachable at start; connecting when it answers');
}

function toProbeOutcome(settings: TemporalConnectionSettings, serverName: string, handshakeDone: boolean, error: NodeJS.ErrnoException): TemporalProbeResult | ConfigError {
  const code = error.code ?? '';
  const at = `the server at ${settings.address}`;
  const tlsSettings = settings.tls;
  if (UNREACHABLE_CODES.has(code)) return { reachable: false, reason: `${code}: ${error.message}` };
  if (tlsSettings === undefined) {
    return new ConfigError([
      {
        variable: 'TEMPORAL_TLS',
        message: `${at} did not answer plain-text gRPC (${code || error.message}); if it expects TLS, set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH and the client certificate it needs)`,
      },
    ]);
  }
  const caSetting = 'TEMPORAL_TLS_SERVER_CA_CERT_PATH | TEMPORAL_TLS_SERVER_CA_CERT_DATA';
  if (UNVERIFIED_SERVER_CODES.has(code)) {
    const which = tlsSettings.serverCaCertificate === undefined ? "the system's trusted CAs do" : 'the configured CA does';
    return new ConfigError([{ variable: caSetting, message: `${which} not verify ${at} for server name "${serverName}" (${code}); set the CA that issued its certificate` }]);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ConfigError([{ variable: 'TEMPORAL_TLS_SERVER_NAME', message: `the certificate of ${at} is not valid for server name "${serverName}" (${error.message}); set the name it carries` }]);
  }
  const text = `${code} ${error.message}`;
  // A TLS 1.3 server checks the client certificate after the client finished its handshake: a refusal arrives as an alert or a reset then.
  if (/CERTIFICATE_REQUIRED|certificate required|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|unknown ca|bad certificate/i.test(text) || handshakeDone) {
    return new ConfigError([
      tlsSettings.clientCertificate === undefined
        ? { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH | TEMPORAL_TLS_CLIENT_KEY_PATH', message: `${at} requires a client certificate (mTLS) and none is set (${code || error.message})` }
        : { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH | TEMPORAL_TLS_CLIENT_KEY_PATH', message: `${at} refused the client certificate (${code || error.message}); use one issued by the CA the server trusts` },
    ]);
  }
  return new ConfigError([
    {
      variable: 'TEMPORAL_TLS',
      message: `TLS is on, but ${at} did not complete a TLS handshake for server name "${serverName}" (${code || error.message}); it may serve plain text: set TEMPORAL_TLS=false, or point TEMPORAL_ADDRESS at the TLS endpoint`,
    },
  ]);
}
