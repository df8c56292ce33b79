/**
 * Deepest nesting of arrays and objects Cascade accepts in a message body
 * (each envelope layer counted on its own). Deeper input is rejected before
 * anything recursive (key canonicalisation, schema validation) sees it.
 */
export const MAX_JSON_DEPTH = 64;

/** Why a JSON value cannot be handled, and where. */
export interface JsonProblem {
  /** Path of the offending field from the root, e.g. `user.email` or `data[0].eventMeta`; `body` for the root. */
  readonly path: string;
  readonly problem: string;
}

/** What {@link findJsonProblem} checks. */
export interface JsonInspectionOptions {
  /** Name of the root in paths (`data` gives `data[0].userIds`); empty for paths relative to the body. @default '' */
  readonly root?: string;
  /** @default MAX_JSON_DEPTH */
  readonly maxDepth?: number;
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

/**
 * The first thing in `value` that Cascade cannot store or handle safely, or
 * undefined when there is none:
 * - text PostgreSQL rejects (`text` and `jsonb` alike): a NUL character (U+0000)
 *   or a lone UTF-16 surrogate, in a string or in an object key;
 * - a `__proto__` key (JavaScript code on the way, schema validators included,
 *   would drop it or read it as a prototype);
 * - nesting deeper than `maxDepth`.
 * Walks with an explicit stack, so no input can exhaust the call stack. Never
 * quotes the offending text (only its position and kind).
 */
export function findJsonProblem(value: unknown, options: JsonInspectionOptions = {}): JsonProblem | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const stack: Pending[] = [{ value, path: options.root ?? '', depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      const problem = describeUnstorableText(current);
      if (problem !== undefined) return { path: path || 'body', problem: `${problem}, which PostgreSQL cannot store` };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { path: path || 'body', problem: `nests deeper than ${maxDepth} levels of arrays and objects` };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index] as unknown, path: `${path}[${index}]`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index] ?? '';
      const keyProblem = describeUnstorableText(key);
      if (keyProblem !== undefined) return { path: path || 'body', problem: `has a key that ${keyProblem}, which PostgreSQL cannot store` };
      if (key === '__proto__') return { path: path || 'body', problem: 'has a "__proto__" key, which is not accepted' };
      stack.push({ value: (current as Record<string, unknown>)[key], path: toChildPath(path, key), depth: depth + 1 });
    }
  }
  return undefined;
}

/** `path: problem`, as a rejection reason. */
export function toJsonProblemReason(problem: JsonProblem): string {
  return `${problem.path}: ${problem.problem}`;
}

/** Why PostgreSQL cannot store `text` (`contains a NUL character (U+0000) at index 3`), or undefined. */
export function describeUnstorableText(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0) return `contains a NUL character (U+0000) at index ${index}`;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index++;
        continue;
      }
      return `contains a lone high surrogate (U+${code.toString(16).toUpperCase()}) at index ${index}`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `contains a lone low surrogate (U+${code.toString(16).toUpperCase()}) at index ${index}`;
  }
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function toChildPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key) && key.length <= 64) return parent === '' ? key : `${parent}.${key}`;
  // Keys that would make the path ambiguous are shown as a JSON string (escaped, so never raw control characters), cut short.
  const shown = JSON.stringify(key.length > 32 ? `${key.slice(0, 32)}…` : key);
  return `${parent}[${shown}]`;
}
