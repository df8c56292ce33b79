import { parser } from '@prometheus-io/lezer-promql';

/** What {@link parsePromql} found in one expression. */
export interface ParsedPromql {
  /** Names of the series the expression selects (vector and range selectors). */
  readonly metricNames: readonly string[];
  /** Syntax errors, with the text around each. */
  readonly errors: readonly string[];
}

/** Grafana's interval variables, which only Grafana replaces; a duration stands in for them. */
const GRAFANA_INTERVALS = /\$__(?:rate_interval|interval|range)\b/g;

/**
 * Parses PromQL with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the one its web UI uses) and returns the
 * metrics it selects and its syntax errors. Grafana's `$__rate_interval`
 * counts as a duration; other `$variables` may stand only inside label values.
 */
export function parsePromql(expr: string): ParsedPromql {
  const text = expr.replace(GRAFANA_INTERVALS, '5m');
  const metricNames = new Set<string>();
  const errors: string[] = [];
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: …${text.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metricNames.add(text.slice(node.from, node.to));
    },
  });
  return { metricNames: [...metricNames], errors };
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
