import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readLogTail } from './processes';
import { StackError } from './stack-error';
import type { StackProgressEvent } from './types';
import { toErrorMessage } from '../errors/error-message';

/** A provisioning command run to completion (go install, mvn, pip). */
export interface ToolRun {
  /** Stack service the tool is provisioned for, used in errors and progress. */
  readonly service: string;
  /** Progress step shown while it runs, e.g. "building Temporal CLI 1.5.1 (go install)". */
  readonly step: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Output of the command goes here (truncated first). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Hint of the StackError when the command fails. */
  readonly hint: string;
  readonly onProgress?: (event: StackProgressEvent) => void;
  /** Repeat the step with the elapsed time this often. @default 30 s */
  readonly heartbeatMs?: number;
}

/**
 * Runs a provisioning command, reporting progress (and a heartbeat with the
 * elapsed time, so a cold CI run shows why it waits).
 * @returns elapsed milliseconds
 * @throws StackError with the log's last lines when the command fails or is missing
 */
export async function runTool(run: ToolRun): Promise<number> {
  const started = Date.now();
  run.onProgress?.({ service: run.service, step: run.step });
  await mkdir(path.dirname(run.logFile), { recursive: true });
  const logFd = openSync(run.logFile, 'w');
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    run.onProgress?.({ service: run.service, step: `${run.step} (still running, ${seconds}s)` });
  }, run.heartbeatMs ?? 30_000);
  heartbeat.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(run.command, [...run.args], { cwd: run.cwd, env: run.env ?? process.env, stdio: ['ignore', logFd, logFd] });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`exited with ${signal ?? `code ${String(code)}`}`)),
      );
    });
  } catch (error) {
    const tail = await readLogTail(run.logFile);
    throw new StackError(
      run.service,
      `${run.step} failed: \`${run.command} ${run.args.join(' ')}\` ${toErrorMessage(error)}.\nLog ${run.logFile}, last lines:\n${tail}`,
      run.hint,
      { cause: error },
    );
  } finally {
    clearInterval(heartbeat);
    closeSync(logFd);
  }
  return Date.now() - started;
}
