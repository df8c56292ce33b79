import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';

/** A server a test runs in front of the stack's Temporal frontend. */
export interface TemporalFront {
  /** `127.0.0.1:port` to use as TEMPORAL_ADDRESS. */
  readonly address: string;
  close(): Promise<void>;
}

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What a {@link startTlsTerminator} saw: handshakes it completed (client certificate verified when required). */
export interface TlsTerminator extends TemporalFront {
  readonly acceptedConnections: () => number;
}

/**
 * A TLS terminator (node:tls, ALPN h2) forwarding each accepted connection to
 * the plain-text Temporal frontend at `upstream`. With `clientCa`, a client
 * certificate issued by it is required (mTLS).
 */
export async function startTlsTerminator(options: { upstream: string; cert: string; key: string; clientCa?: string }): Promise<TlsTerminator> {
  const { host, port } = splitAddress(options.upstream);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = tls.createServer(
    {
      cert: readFileSync(options.cert),
      key: readFileSync(options.key),
      ALPNProtocols: ['h2'],
      ...(options.clientCa === undefined ? {} : { ca: readFileSync(options.clientCa), requestCert: true, rejectUnauthorized: true }),
    },
    (socket) => {
      accepted += 1;
      const upstream = net.connect(port, host);
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  server.on('tlsClientError', () => undefined);
  const address = await listen(server);
  return {
    address,
    acceptedConnections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A {@link startRecordingProxy}: the request headers of every gRPC call it forwarded. */
export interface RecordingProxy extends TemporalFront {
  readonly requests: ReadonlyArray<http2.IncomingHttpHeaders>;
}

const HOP_HEADERS = new Set([':method', ':path', ':scheme', ':authority', 'content-type', 'te', 'user-agent', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding']);

/**
 * A plain-text HTTP/2 proxy in front of the Temporal frontend that records
 * the headers of every request (e.g. to see `authorization`) and forwards
 * the call, response headers and trailers included.
 */
export async function startRecordingProxy(upstreamAddress: string): Promise<RecordingProxy> {
  const upstream = http2.connect(`http://${upstreamAddress}`);
  upstream.on('error', () => undefined);
  const requests: http2.IncomingHttpHeaders[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => sessions.add(session.on('close', () => sessions.delete(session))));
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(':') || HOP_HEADERS.has(name)).filter(([name]) => name !== ':authority'));
    const call = upstream.request(forwarded);
    stream.pipe(call);
    call.on('response', (responseHeaders, flags) => {
      const clean = Object.fromEntries(Object.entries(responseHeaders).filter(([name]) => name === ':status' || !name.startsWith(':')));
      // A trailers-only answer (an error) ends the stream with its headers.
      if ((flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
        stream.respond(clean, { endStream: true });
        return;
      }
      stream.respond(clean, { waitForTrailers: true });
      call.pipe(stream);
    });
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('trailers', (received: http2.IncomingHttpHeaders) => {
      trailers = received;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(Object.fromEntries(Object.entries(trailers).filter(([name]) => !name.startsWith(':')))));
    call.on('error', () => stream.destroy());
    stream.on('error', () => call.destroy());
    stream.on('close', () => call.close());
  });
  const address = await listen(server);
  return {
    address,
    requests,
    close: async () => {
      for (const session of sessions) session.destroy();
      upstream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
