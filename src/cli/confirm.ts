import { createInterface } from 'node:readline/promises';

/** Where a confirmation is asked; the process's terminal by default. */
export interface ConfirmOptions {
  /** `--yes`: confirmed without asking. */
  readonly yes?: boolean;
  /** @default process.stdin */
  readonly input?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** @default process.stderr (stdout stays for data) */
  readonly output?: NodeJS.WritableStream;
}

/** Thrown when a command that changes state would need a confirmation but has no terminal to ask on. */
export class ConfirmationRequiredError extends Error {
  readonly hint = 'Pass --yes to confirm non-interactively, or --dry-run to see what would change.';

  constructor(readonly action: string) {
    super(`refusing to ${action} without a terminal to confirm on`);
    this.name = 'ConfirmationRequiredError';
  }
}

/**
 * Asks `Proceed to <action>? [y/N]` and resolves true only on yes. With
 * `yes` it does not ask. Without a TTY it throws {@link ConfirmationRequiredError}
 * (a script must say `--yes` explicitly).
 */
export async function confirmAction(action: string, options: ConfirmOptions = {}): Promise<boolean> {
  if (options.yes) return true;
  const input = options.input ?? process.stdin;
  if (!input.isTTY) throw new ConfirmationRequiredError(action);
  const rl = createInterface({ input, output: options.output ?? process.stderr });
  try {
    const answer = await rl.question(`Proceed to ${action}? [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
