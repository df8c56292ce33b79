/**
 * Helpers for reading untrusted values: a guard for JSON-object-like values
 * and the one format of schema issues Cascade puts in rejection reasons and
 * 400 answers. Pure (no I/O), so any module may use them.
 */

/** True when `value` is a non-null object that is not an array (a JSON object, an error object…). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One schema issue as zod reports it (`ZodError.issues`). */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Every issue of a failed schema check as `path: message`, joined by `; `
 * (e.g. `entity_id: must be a UUID; action: is required`); an issue of the
 * whole value is named `root` (`body`, or `query` for a query string).
 */
export function toIssueList(error: { readonly issues: readonly SchemaIssue[] }, root = 'body'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || root}: ${issue.message}`).join('; ');
}
