import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_STACK_PORTS, type StackEndpoints, type StackOptions, type StackPorts, resolveCacheDir, startStack, toTemporalVariant } from '../stack';

const ENDPOINTS_FILE = 'endpoints.json';

/**
 * Stack options from the environment: state under `$CASCADE_STATE_DIR/stack`,
 * default ports shifted by `CASCADE_STACK_PORT_OFFSET`, the Temporal of
 * `CASCADE_STACK_TEMPORAL` (`dev` or `server`), and an external PostgreSQL
 * when `DATABASE_URL` is set.
 */
export function toStackOptions(env: NodeJS.ProcessEnv, logger: Logger): StackOptions {
  const offset = Number(env.CASCADE_STACK_PORT_OFFSET ?? '0');
  if (!Number.isInteger(offset) || offset < -1000 || offset > 50_000) {
    throw new Error(`CASCADE_STACK_PORT_OFFSET must be an integer between -1000 and 50000, got "${env.CASCADE_STACK_PORT_OFFSET ?? ''}"`);
  }
  const ports = Object.fromEntries(Object.entries(DEFAULT_STACK_PORTS).map(([name, port]) => [name, port + offset])) as unknown as StackPorts;
  return {
    stateDir: path.resolve(env.CASCADE_STATE_DIR ?? '.cascade', 'stack'),
    cacheDir: resolveCacheDir(),
    ports,
    temporal: toTemporalVariant(env),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    logger,
    onProgress: ({ service, step }) => process.stderr.write(`[stack] ${service}: ${step}\n`),
  };
}

/** Starts the stack (idempotent) and remembers its endpoints for `cascade stack env`. */
export async function bringStackUp(options: StackOptions): Promise<StackEndpoints> {
  const endpoints = await startStack(options);
  await fs.promises.mkdir(options.stateDir, { recursive: true });
  await fs.promises.writeFile(path.join(options.stateDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`);
  return endpoints;
}

/** The endpoints of the last `stack up`, or undefined when it never ran here. */
export function readStackEndpoints(stateDir: string): StackEndpoints | undefined {
  const file = path.join(stateDir, ENDPOINTS_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StackEndpoints;
}

/** Forgets the endpoints after `stack down`. */
export function forgetStackEndpoints(stateDir: string): void {
  fs.rmSync(path.join(stateDir, ENDPOINTS_FILE), { force: true });
}

/**
 * Gives this process the local stack's endpoints where a variable is unset
 * (the AWS SDK reads its credentials from `process.env`), and returns it.
 * Without a local stack, the environment is left as it is.
 */
export function applyStackEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const stateDir = path.resolve(env.CASCADE_STATE_DIR ?? '.cascade', 'stack');
  const endpoints = readStackEndpoints(stateDir);
  for (const [key, value] of Object.entries(endpoints ?? {})) {
    if (env[key] === undefined || env[key] === '') env[key] = value;
  }
  return env;
}
