import type { ChildProcess } from 'node:child_process';

/** Every child process the bench started and that has not exited yet. */
const live = new Set<ChildProcess>();

/** Records `child` until it exits, so an interrupted run can stop it. */
export function trackChild(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every live child and waits for them to exit (an interrupted run has no use for their graceful stop). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          if (!child.kill('SIGKILL')) resolve();
        }),
    ),
  );
}
