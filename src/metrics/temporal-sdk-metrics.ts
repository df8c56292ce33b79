import net from 'node:net';

/** The Temporal SDK's Prometheus endpoint (served by its Rust core) that `/metrics` appends. */
export interface TemporalSdkMetricsSource {
  /** `http://127.0.0.1:<port>/metrics` of the SDK's own exporter. */
  readonly url: string;
  /** The SDK's metrics in the Prometheus text format. Throws {@link TemporalSdkMetricsError} when the endpoint does not answer. */
  read(signal?: AbortSignal): Promise<string>;
}

/** Thrown when the Temporal SDK's metrics endpoint could not be read. */
export class TemporalSdkMetricsError extends Error {
  override readonly name = 'TemporalSdkMetricsError';
  constructor(
    readonly url: string,
    options: { cause: unknown } | { status: number },
  ) {
    super('status' in options ? `Temporal SDK metrics at ${url} answered HTTP ${options.status}` : `could not read Temporal SDK metrics at ${url}`, 'cause' in options ? { cause: options.cause } : undefined);
  }
}

/**
 * A free TCP port on 127.0.0.1 for the SDK's metrics exporter: bound once
 * and released, so the Rust core can bind it right after. Only this machine
 * reaches it; operators scrape the merged `/metrics` of Cascade's server.
 */
export function reserveLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not reserve a loopback port'))));
    });
  });
}

/** Reads the SDK's exporter at `url` (see {@link TemporalSdkMetricsSource}); each read waits at most `timeoutMs`. */
export function createTemporalSdkMetricsSource(url: string, timeoutMs = 2_000): TemporalSdkMetricsSource {
  return {
    url,
    async read(signal?: AbortSignal): Promise<string> {
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (error) {
        throw new TemporalSdkMetricsError(url, { cause: error });
      }
      if (!response.ok) throw new TemporalSdkMetricsError(url, { status: response.status });
      return response.text();
    },
  };
}
