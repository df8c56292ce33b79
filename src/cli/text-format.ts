/**
 * Characters a terminal acts on instead of showing: C0 controls but newline
 * and tab, DEL, C1 controls, and the Unicode bidirectional overrides that
 * reorder what is shown (U+202A–U+202E, U+2066–U+2069).
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every terminal control character written as an escape
 * (`\x1b`, `\r`, `\u202e`), so a message body or reason printed by the CLI
 * cannot move the cursor, rewrite earlier lines, change colours or reorder text.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const JSON_RAW_CONTROLS = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the terminal controls `JSON.stringify` leaves raw (DEL, C1
 * controls, bidi overrides) written as `\uXXXX` escapes: the same JSON value,
 * harmless on a terminal. (C0 controls JSON escapes itself.)
 */
export function escapeJsonControlCharacters(json: string): string {
  return json.replace(JSON_RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A plain-text table with padded columns; cells longer than 90 characters are clipped. */
export function toTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const clip = (s: string) => (s.length > 90 ? `${s.slice(0, 89)}…` : s);
  const all = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

const DURATION_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/** A duration in its largest unit and the next: `45s`, `3m 20s`, `2h 5m`, `4d 1h`, `1d`; `-` when unknown. */
export function toDurationText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  const total = Math.max(0, Math.round(seconds));
  const index = DURATION_UNITS.findIndex(([, size]) => total >= size);
  if (index === -1) return '0s';
  const [unit = 's', size = 1] = DURATION_UNITS[index] ?? [];
  const [nextUnit, nextSize] = DURATION_UNITS[index + 1] ?? [];
  const rest = nextSize === undefined ? 0 : Math.floor((total % size) / nextSize);
  return `${Math.floor(total / size)}${unit}${rest > 0 ? ` ${rest}${nextUnit ?? ''}` : ''}`;
}
