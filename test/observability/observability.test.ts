import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';
import { z } from 'zod';
import type { TxmaPurgeInput } from '../../src/shared/txma';
import { type CascadeProcess, startCascadeProcess } from '../support/cascade-processes';
import { type E2eContext, createE2eContext, createTestQueues, eventually, sendToQueue } from '../support/e2e-harness';
import { parsePromql, toLabelValuesMetric, toSampleNames } from './promql-names';

const OBSERVABILITY_DIR = path.join(__dirname, '..', '..', '..', 'deploy', 'observability');

const ruleFileSchema = z
  .object({
    groups: z
      .array(
        z
          .object({
            name: z.string().min(1),
            rules: z
              .array(
                z
                  .object({
                    alert: z.string().regex(/^Cascade[A-Z][A-Za-z]+$/, 'alert names are CamelCase, prefixed Cascade'),
                    expr: z.string().min(1),
                    for: z.string().regex(/^\d+[smhd]$/).optional(),
                    labels: z.object({ severity: z.enum(['critical', 'warning', 'info']) }).catchall(z.string()),
                    annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }).catchall(z.string()),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

type RuleFile = z.infer<typeof ruleFileSchema>;

interface DashboardPanel {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>;
  readonly panels?: readonly DashboardPanel[];
}
interface Dashboard {
  readonly title: string;
  readonly uid: string;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly name: string; readonly type: string; readonly query?: string | { readonly query?: string } }> };
}

function readRuleFile(): RuleFile {
  return ruleFileSchema.parse(parse(fs.readFileSync(path.join(OBSERVABILITY_DIR, 'prometheus-alerts.yaml'), 'utf8')));
}

function readDashboard(): Dashboard {
  return JSON.parse(fs.readFileSync(path.join(OBSERVABILITY_DIR, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
}

function flattenPanels(panels: readonly DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}

/** Every metric the dashboard's and the alerts' PromQL reads, with where it is read. */
function referencedMetrics(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (name: string, where: string) => uses.set(name, [...(uses.get(name) ?? []), where]);
  for (const group of readRuleFile().groups) for (const rule of group.rules) for (const name of parsePromql(rule.expr).metricNames) add(name, `alert ${rule.alert}`);
  const dashboard = readDashboard();
  for (const panel of flattenPanels(dashboard.panels)) for (const target of panel.targets ?? []) for (const name of parsePromql(target.expr ?? '').metricNames) add(name, `panel ${panel.title ?? '?'}`);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    const metric = query === undefined ? undefined : toLabelValuesMetric(query);
    if (metric !== undefined) add(metric, `variable $${variable.name}`);
  }
  return uses;
}

describe('deploy/observability: alert rules and Grafana dashboard', function () {
  this.timeout(240_000);

  describe('the files', () => {
    it('when the alert rules are read, then they are a Prometheus rule file: groups of alerts with expr, for, severity label, summary and description', () => {
      const rules = readRuleFile().groups.flatMap((g) => g.rules);
      const names = rules.map((r) => r.alert);
      assert.equal(new Set(names).size, names.length, `alert names are unique: ${names.join(', ')}`);
    });

    it('when the alert rules are read, then they cover dead letters, quarantine, oldest message age, start failures, failed and stuck cascades, schedule-to-start latency and slot exhaustion', () => {
      const exprs = readRuleFile()
        .groups.flatMap((g) => g.rules)
        .map((r) => r.expr);
      const covered = (pattern: RegExp) => exprs.some((e) => pattern.test(e));
      assert.ok(covered(/cascade_waiting_queue_messages\{queue="dead-letter"/), 'dead-letter depth');
      assert.ok(covered(/cascade_waiting_queue_messages\{queue="quarantine"/), 'quarantine depth');
      assert.ok(covered(/cascade_waiting_queue_oldest_message_age_seconds/), 'oldest message age');
      assert.ok(covered(/cascade_messages_total\{outcome="failed"\}/), 'start failures');
      assert.ok(covered(/cascade_cascades\{state="failed"\}/), 'failed cascades');
      assert.ok(covered(/cascade_cascades\{state="stuck"\}/), 'stuck cascades');
      assert.ok(covered(/temporal_workflow_task_schedule_to_start_latency_bucket/) && covered(/temporal_activity_schedule_to_start_latency_bucket/), 'schedule-to-start latency');
      assert.ok(covered(/temporal_worker_task_slots_available/), 'slot exhaustion');
    });

    it('when the dashboard is read, then it is a Grafana dashboard whose every panel queries Prometheus through the datasource variable', () => {
      const dashboard = readDashboard();
      assert.equal(dashboard.uid, 'cascade-overview');
      const panels = flattenPanels(dashboard.panels).filter((p) => p.type !== 'row');
      assert.ok(panels.length >= 10, `${panels.length} panels`);
      for (const panel of panels) assert.ok((panel.targets ?? []).length > 0 && (panel.targets ?? []).every((t) => (t.expr ?? '') !== ''), `panel ${panel.title ?? '?'} has queries`);
      assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'));
    });

    it('when every expression of the alerts and the dashboard is parsed with the Prometheus grammar, then none has a syntax error', () => {
      const exprs = [
        ...readRuleFile()
          .groups.flatMap((g) => g.rules)
          .map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
        ...flattenPanels(readDashboard().panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.title ?? '?'}`, expr: t.expr ?? '' }))),
      ];
      const broken = exprs.flatMap(({ where, expr }) => parsePromql(expr).errors.map((error) => `${where}: ${error}`));
      assert.deepEqual(broken, []);
    });

    it('when PromQL is read for metric names, then functions, keywords, labels, strings, ranges and variables are not taken for metrics, and a syntax error is reported', () => {
      assert.deepEqual(
        parsePromql('histogram_quantile(0.95, sum by (le, task_queue) (rate(temporal_x_bucket{namespace=~"$namespace", a="b{c}"}[$__rate_interval]))) > 1e3 and on (route) max without (state) (cascade_y offset 5m) > bool 2 * 86400'),
        { metricNames: ['temporal_x_bucket', 'cascade_y'], errors: [] },
      );
      assert.equal(parsePromql('sum(rate(cascade_messages_total[5m])').errors.length > 0, true, 'an unclosed parenthesis');
    });
  });

  describe('on running processes', () => {
    let ctx: E2eContext;
    const processes: CascadeProcess[] = [];
    before(async () => {
      ctx = await createE2eContext('observability');
    });
    after(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await ctx?.close();
    });

    it('when a bridge and a worker have handled messages, then every metric the dashboard and the alerts name is on their /metrics, the SDK metrics with their namespace and task_queue labels', async () => {
      const queues = await createTestQueues(ctx.sqs, 'observability');
      const env: NodeJS.ProcessEnv = {
        ...ctx.env,
        CASCADE_QUEUE_URL_ACCOUNT_EVENTS: queues.queueUrl,
        CASCADE_QUARANTINE_QUEUE_URL: queues.quarantineQueueUrl,
        CASCADE_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
        CASCADE_STATUS_METRICS_INTERVAL_SECONDS: '1',
      };
      const worker = await startCascadeProcess('worker', env);
      processes.push(worker);
      const bridge = await startCascadeProcess('bridge', env);
      processes.push(bridge);
      await sendToQueue(ctx.sqs, queues.queueUrl, [JSON.stringify({ event: 'delete', uid: `u${randomUUID().replace(/-/g, '')}`, iss: 'api.accounts.firefox.com', ts: 1 }), 'not json: quarantined']);
      // account-events' step is a local activity; the TxMA purge runs a regular one, whose schedule-to-start the SDK measures.
      const purge: TxmaPurgeInput = { activity: { startToCloseTimeoutMs: 10_000, retry: { initialIntervalMs: 200, backoffCoefficient: 2, maximumIntervalMs: 1000, maximumAttempts: 5 } }, batchSize: 100 };
      await ctx.temporal.workflow.execute('txmaPurgeWorkflow', { taskQueue: ctx.taskQueue, workflowId: `cascade/txma-purge/observability-${randomUUID()}`, args: [purge] });

      const scrape = async (process: CascadeProcess) => {
        const response = await fetch(`${process.httpUrl}/metrics`);
        assert.equal(response.status, 200);
        return response.text();
      };
      let workerMetrics = '';
      await eventually(
        'the worker reports the finished cascade, its activity and the quarantined message',
        async () => {
          workerMetrics = await scrape(worker);
          return /^temporal_workflow_completed\{/m.test(workerMetrics) && /^temporal_activity_schedule_to_start_latency_bucket\{/m.test(workerMetrics) && /^cascade_waiting_queue_messages\{queue="quarantine",state="visible"\} 1$/m.test(workerMetrics);
        },
        90_000,
      );
      const bridgeMetrics = await scrape(bridge);
      const present = new Set([...toSampleNames(workerMetrics), ...toSampleNames(bridgeMetrics)]);

      const referenced = referencedMetrics();
      assert.ok(referenced.size >= 15, `the dashboard and alerts name ${referenced.size} metrics`);
      const missing = [...referenced].filter(([name]) => !present.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
      assert.deepEqual(missing, [], 'every metric named in deploy/observability is on a running process');

      const slots = workerMetrics.split('\n').find((line) => line.startsWith('temporal_worker_task_slots_available{')) ?? '';
      assert.match(slots, /namespace="default"/);
      assert.ok(slots.includes(`task_queue="${ctx.taskQueue}"`), slots);
      const collisions = [...toSampleNames(workerMetrics)].filter((name) => !name.startsWith('cascade_') && !name.startsWith('temporal_'));
      assert.deepEqual(collisions, [], 'Cascade metrics are prefixed cascade_, the SDK metrics temporal_');

      // The failed-cascades gauge follows Temporal: a cascade terminated now is counted on the next read.
      const failedGauge = async () => Number(/^cascade_cascades\{route="account-events",state="failed"\} (\d+)$/m.exec(await scrape(worker))?.[1] ?? Number.NaN);
      const before = await failedGauge();
      assert.ok(Number.isFinite(before), 'the worker reports failed account-events cascades');
      const handle = await ctx.temporal.workflow.start('accountEventsWorkflow', {
        workflowId: `account-events/observability-${randomUUID()}`,
        taskQueue: `observability-idle-${randomUUID().slice(0, 8)}`,
        args: [{}],
        typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.CascadeRoute, value: 'account-events' }],
      });
      await handle.terminate('observability test: a failed cascade');
      await eventually('the terminated cascade is counted as failed', async () => (await failedGauge()) >= before + 1, 60_000);
    });
  });
});
