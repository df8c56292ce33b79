/** PromQL words that are not metric names. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: strings, label matchers,
 * ranges, grouping clauses and Grafana variables removed, function names and
 * keywords skipped. Enough for the expressions of deploy/observability (it
 * is no full PromQL parser).
 */
export function toMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const start = match.index;
    const word = match[0];
    const before = stripped.slice(0, start);
    if (/[0-9.]$/.test(before)) continue;
    if (/^\s*\(/.test(stripped.slice(start + word.length))) continue;
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** The metric of a Grafana `label_values(metric, label)` variable query. */
export function toLabelValuesMetric(query: string): string | undefined {
  return /label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(query)?.[1];
}

/** Sample names of a Prometheus text exposition (histograms as their `_bucket`/`_sum`/`_count` series). */
export function toSampleNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{|\s)/.exec(line);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}
