import { spawn } from 'node:child_process';
import { trackChild } from './children';
import path from 'node:path';

/** Starts bench/peer-consumer.js on `queueUrl` as its own process; resolves once it polls. */
export async function startPeerProcess(env: NodeJS.ProcessEnv, queueUrl: string): Promise<{ readyAt: number; stop(): Promise<void> }> {
  const child = trackChild(spawn(process.execPath, [path.join(__dirname, 'peer-consumer.js'), queueUrl], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer consumer not ready after 30 s:\n${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peer consumer exited (${String(code)}):\n${stderr}`));
    });
  });
  const readyAt = Date.now();
  return {
    readyAt,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
