import type { Logger } from 'pino';
import type { StackPorts } from './ports';
import type { QueueConfig } from './queue-config';
import type { StackProgressEvent, StackServiceName } from './types';

/** A port a service binds, with the StackPorts key that chooses it (for "port in use" hints). */
export interface PortClaim {
  readonly port: number;
  readonly setting: keyof StackPorts;
}

/** How to launch a service, returned once its tools are provisioned. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  /** @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals;
  /** Which flavour of the service this launches (Temporal: `dev` or `server`), shown by `cascade stack status`. */
  readonly variant?: string;
  /** Extra input of the fingerprint besides command and args, e.g. a generated config file. */
  readonly configText?: string;
}

/** What every service module builds on. */
export interface ServiceContext {
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly ports: StackPorts;
  /** The external PostgreSQL replacing the embedded one, when set. */
  readonly databaseUrl?: string;
  readonly queueConfig: QueueConfig;
  readonly logger: Logger;
  readonly onProgress?: (event: StackProgressEvent) => void;
  /** Load `pg_stat_statements` into the embedded PostgreSQL. */
  readonly postgresStatements?: boolean;
}

/** One background service of the stack: how to provision, launch and health-check it. */
export interface StackService {
  readonly name: StackServiceName;
  /** Shown by `cascade stack status`. */
  readonly url: string;
  /** The first claim is the port that answers when the service is up. */
  readonly ports: readonly PortClaim[];
  /** How long to wait for health after launch. */
  readonly startTimeoutMs: number;
  /** Builds or downloads the tools (cached), writes config files, returns the launch. */
  prepare(): Promise<LaunchSpec>;
  /** Runs right before the process is (re)started, never when a running one is kept (e.g. database schema upgrades). */
  beforeLaunch?(): Promise<void>;
  /** Resolves when the service answers as expected; throws with the reason otherwise. */
  checkHealth(): Promise<void>;
  /** One-time setup once healthy (create database, register search attributes); idempotent. */
  afterHealthy?(): Promise<void>;
}
