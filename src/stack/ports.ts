import net from 'node:net';

/** Ports of the local stack, all on 127.0.0.1. */
export interface StackPorts {
  postgres: number;
  /** Temporal frontend gRPC. */
  temporal: number;
  /** Temporal Web UI. */
  temporalUi: number;
  /** The Temporal server's own Prometheus metrics (`/metrics`). */
  temporalMetrics: number;
  /** ElasticMQ (SQS API). */
  sqs: number;
  /** moto server (S3 and SNS APIs). */
  moto: number;
  /** Cascade's own HTTP server; the stack only reports its URL. */
  http: number;
}

/** Ports of `cascade dev`; tests use free ports instead so both can run at once. */
export const DEFAULT_STACK_PORTS: StackPorts = {
  postgres: 55432,
  temporal: 7233,
  temporalUi: 8233,
  temporalMetrics: 9233,
  sqs: 9324,
  moto: 4566,
  http: 8080,
};

/** The host every stack service binds to. */
export const STACK_HOST = '127.0.0.1';

/** True when nothing listens on `host:port`, checked by binding it briefly. */
export function isPortFree(port: number, host: string = STACK_HOST): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when a TCP connection to `host:port` is accepted within `timeoutMs`. */
export function isPortAnswering(port: number, host: string = STACK_HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** A port the OS reports free right now (binds port 0 on `host`). */
export function findFreePort(host: string = STACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS returned no port'))));
    });
  });
}

/** Distinct free ports for a whole stack, e.g. for tests that must not collide with `cascade dev`. */
export async function findFreeStackPorts(host: string = STACK_HOST): Promise<StackPorts> {
  const taken = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await findFreePort(host);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    postgres: await next(),
    temporal: await next(),
    temporalUi: await next(),
    temporalMetrics: await next(),
    sqs: await next(),
    moto: await next(),
    http: await next(),
  };
}
