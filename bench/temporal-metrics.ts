/** Running totals of one histogram in the Temporal server's Prometheus metrics (`service_latency`, seconds). */
export interface LatencyTotals {
  readonly sumSeconds: number;
  readonly count: number;
}

/**
 * `service_latency` totals of one frontend operation (e.g. StartWorkflowExecution),
 * over every label set: the time the server itself spent on those calls.
 */
export async function readServerLatency(metricsUrl: string, operation: string): Promise<LatencyTotals> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`Temporal metrics at ${metricsUrl} answered HTTP ${response.status}`);
  const text = await response.text();
  const total = (series: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${series}{`) && line.includes(`operation="${operation}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return { sumSeconds: total('service_latency_sum'), count: total('service_latency_count') };
}

/** Mean server-side latency in ms of the calls between two readings (0 when there were none). */
export function toMeanMs(before: LatencyTotals, after: LatencyTotals): number {
  const count = after.count - before.count;
  return count > 0 ? ((after.sumSeconds - before.sumSeconds) / count) * 1000 : 0;
}
