/** One problem found in the environment, with the variable it concerns. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/**
 * Thrown when the environment does not describe a runnable configuration.
 * The message lists every problem at once, each with the variable to fix.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      [
        `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):`,
        ...issues.map((issue) => `  - ${issue.variable}: ${issue.message}`),
        'Every variable and its default is documented in docs/configuration.md.',
      ].join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** True when `error` is a {@link ConfigError}. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
