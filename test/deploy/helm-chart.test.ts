import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { describeHeapShortfall, toHeapBudget } from '../../src/bridge/heap-budget';
import { type ProcessRole, isConfigError, listConfigVariables, loadConfig } from '../../src/config';
import { ROUTE_NAMES, toQueueUrlVariable } from '../../src/routes/route-names';
import { resolveCacheDir } from '../../src/stack';
import { type ChartTools, KUBERNETES_VERSION, createChartToolContext, provisionChartTools } from '../support/chart-tools';
import { createTestCertificates } from '../support/test-certificates';

const execFileAsync = promisify(execFile);

/** A cold machine builds Helm and kubeconform with `go install` first. */
const PROVISION_TIMEOUT_MS = 40 * 60_000;

/** Variables the AWS SDK reads itself (credentials would come from a Secret; none is set by default). */
const AWS_SDK_PASS_THROUGH_VARIABLES: readonly string[] = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SNS'];
const NODE_PASS_THROUGH_VARIABLES: readonly string[] = ['NODE_OPTIONS'];

/** What each Cascade container runs and the roles `loadConfig` checks its environment for (as in the compose test). */
const COMPONENT_ROLES: Readonly<Record<string, { args: readonly string[]; roles: readonly ProcessRole[] }>> = {
  migrate: { args: ['db', 'migrate'], roles: ['worker'] },
  init: { args: ['init'], roles: ['client'] },
  worker: { args: ['worker'], roles: ['worker', 'http'] },
  bridge: { args: ['bridge'], roles: ['bridge', 'http'] },
};

/** Stand-ins for what the referenced Secrets hold, valid for the configuration schema. */
const SAMPLE_SECRET_VALUES: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgresql://cascade:secret@db.internal:5432/cascade',
  CASCADE_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  CASCADE_EVENT_KEY_SECRET: 'an-event-key-secret-of-at-least-32-characters',
  CASCADE_CODEC_TOKEN: 'codec-token-0123456789abcdef',
  CASCADE_EVENTS_API_TOKEN: 'events-token-0123456789abcdef',
  TEMPORAL_API_KEY: 'temporal-api-key',
};

// ---- the subset of Kubernetes objects these tests read ----

const envVarSchema = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }) }).optional(),
});
const probeSchema = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const containerSchema = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()),
  env: z.array(envVarSchema),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).optional(),
  livenessProbe: probeSchema.optional(),
  readinessProbe: probeSchema.optional(),
  startupProbe: probeSchema.optional(),
  resources: z.object({ requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(), limits: z.record(z.string(), z.union([z.string(), z.number()])).optional() }),
  securityContext: z.object({
    runAsNonRoot: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    capabilities: z.object({ drop: z.array(z.string()) }).optional(),
  }),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() })),
});
const labelsSchema = z.record(z.string(), z.string());
const podTemplateSchema = z.object({
  metadata: z.object({ labels: labelsSchema }),
  spec: z.object({
    serviceAccountName: z.string(),
    automountServiceAccountToken: z.boolean().optional(),
    terminationGracePeriodSeconds: z.number().optional(),
    securityContext: z.object({ runAsNonRoot: z.boolean().optional(), runAsUser: z.number().optional() }),
    topologySpreadConstraints: z.array(z.object({ topologyKey: z.string(), labelSelector: z.object({ matchLabels: labelsSchema }) })).optional(),
    containers: z.array(containerSchema).length(1),
    volumes: z.array(z.object({ name: z.string(), emptyDir: z.object({}).passthrough().optional(), secret: z.object({ secretName: z.string() }).optional() })),
  }),
});
const metadataSchema = z.object({ name: z.string(), labels: labelsSchema.optional(), annotations: labelsSchema.optional() });
const workloadSchema = z.object({
  kind: z.enum(['Deployment', 'Job']),
  metadata: metadataSchema,
  spec: z.object({ replicas: z.number().optional(), selector: z.object({ matchLabels: labelsSchema }).optional(), template: podTemplateSchema }),
});
type Workload = z.infer<typeof workloadSchema>;
type Container = z.infer<typeof containerSchema>;

const kubeObjectSchema = z.object({ apiVersion: z.string(), kind: z.string(), metadata: metadataSchema }).passthrough();
type KubeObject = z.infer<typeof kubeObjectSchema>;

const scaledObjectSchema = z.object({
  metadata: metadataSchema,
  spec: z.object({
    scaleTargetRef: z.object({ name: z.string() }),
    minReplicaCount: z.number(),
    maxReplicaCount: z.number(),
    triggers: z.array(z.object({ type: z.string(), metadata: z.record(z.string(), z.string()), authenticationRef: z.object({ name: z.string() }).optional() })),
  }),
});
const triggerAuthenticationSchema = z.object({
  metadata: metadataSchema,
  spec: z.object({
    podIdentity: z.object({ provider: z.string() }).optional(),
    secretTargetRef: z.array(z.object({ parameter: z.string(), name: z.string(), key: z.string() })).optional(),
  }),
});
const hpaSchema = z.object({
  metadata: metadataSchema,
  spec: z.object({
    scaleTargetRef: z.object({ kind: z.string(), name: z.string() }),
    minReplicas: z.number(),
    maxReplicas: z.number(),
    metrics: z.array(z.object({ type: z.literal('Resource'), resource: z.object({ name: z.string() }) })),
  }),
});
const pdbSchema = z.object({ metadata: metadataSchema, spec: z.object({ maxUnavailable: z.union([z.number(), z.string()]), selector: z.object({ matchLabels: labelsSchema }) }) });
const serviceSchema = z.object({ metadata: metadataSchema, spec: z.object({ selector: labelsSchema, ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.union([z.string(), z.number()]) })) }) });
const serviceMonitorSchema = z.object({
  spec: z.object({
    selector: z.object({ matchLabels: labelsSchema, matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()) })) }),
    endpoints: z.array(z.object({ port: z.string(), path: z.string() })),
  }),
});
const ruleFileSchema = z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(z.record(z.string(), z.unknown())).min(1) })).min(1) });

// ---- helpers ----

function findRepositoryRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'deploy', 'helm', 'cascade', 'Chart.yaml'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the repository root (deploy/helm/cascade) above ${__dirname} or ${process.cwd()}`);
}

const ROOT = findRepositoryRoot();
const CHART_DIR = path.join(ROOT, 'deploy', 'helm', 'cascade');
const ALL_VALUES = path.join(CHART_DIR, 'ci', 'all-values.yaml');
const allValues = z
  .object({
    routes: z.record(z.string(), z.object({ queueUrl: z.string() })),
    config: z.record(z.string(), z.union([z.string(), z.number()])),
    secrets: z.object({ existingSecret: z.string() }),
    temporal: z.object({ tls: z.object({ existingSecret: z.string(), certKey: z.string().optional(), caKey: z.string() }), apiKey: z.object({ existingSecret: z.string(), key: z.string() }) }),
  })
  .parse(parse(readFileSync(ALL_VALUES, 'utf8')));
const defaultValues = z.object({ routes: z.record(z.string(), z.unknown()), secrets: z.object({ existingSecret: z.string(), env: z.record(z.string(), z.object({ key: z.string() }).nullable()) }) }).parse(parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')));
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

/** The ENV of the runtime stage of the Dockerfile: every container starts with it. */
function toImageEnvironment(): Record<string, string> {
  const runtime = dockerfile.slice(dockerfile.indexOf(' AS runtime'));
  const block = /^ENV ((?:.*\\\n)*.*)$/m.exec(runtime)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

interface Rendered {
  readonly text: string;
  readonly objects: readonly KubeObject[];
}

let tools: ChartTools;
let helmHome: string;

async function runHelm(args: readonly string[]): Promise<string> {
  const env = { ...process.env, HELM_CACHE_HOME: path.join(helmHome, 'cache'), HELM_CONFIG_HOME: path.join(helmHome, 'config'), HELM_DATA_HOME: path.join(helmHome, 'data') };
  try {
    const { stdout } = await execFileAsync(tools.helm, [...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${failure.stderr ?? ''}${failure.stdout ?? ''}`, { cause: error });
  }
}

/** `helm template` of the chart for Kubernetes {@link KUBERNETES_VERSION}, parsed. */
async function render(options: { values?: readonly string[]; set?: readonly string[]; apiVersions?: readonly string[] } = {}): Promise<Rendered> {
  const args = ['template', 'cascade', CHART_DIR, '--namespace', 'cascade', '--kube-version', KUBERNETES_VERSION];
  for (const file of options.values ?? []) args.push('--values', file);
  for (const setting of options.set ?? []) args.push('--set', setting);
  for (const apiVersion of options.apiVersions ?? []) args.push('--api-versions', apiVersion);
  const text = await runHelm(args);
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null)
    .map((value) => kubeObjectSchema.parse(value));
  return { text, objects };
}

function byKind(rendered: Rendered, kind: string): KubeObject[] {
  return rendered.objects.filter((object) => object.kind === kind);
}

function workloads(rendered: Rendered): Workload[] {
  return rendered.objects.filter((object) => object.kind === 'Deployment' || object.kind === 'Job').map((object) => workloadSchema.parse(object));
}

function componentOf(workload: Workload): string {
  const component = workload.spec.template.metadata.labels['app.kubernetes.io/component'];
  assert.ok(component !== undefined && COMPONENT_ROLES[component] !== undefined, `${workload.metadata.name} has a known component label`);
  return component;
}

function containerOf(workload: Workload): Container {
  const container = workload.spec.template.spec.containers[0];
  assert.ok(container !== undefined);
  return container;
}

/** Plain variables as set, secret references replaced by sample values of the right shape. */
function toContainerEnvironment(container: Container): Record<string, string> {
  return Object.fromEntries(
    container.env.map((variable) => {
      if (variable.value !== undefined) return [variable.name, variable.value];
      const sample = SAMPLE_SECRET_VALUES[variable.name];
      assert.ok(sample !== undefined, `${container.name}: ${variable.name} comes from a Secret this test has no sample for`);
      return [variable.name, sample];
    }),
  );
}

/** kubeconform -strict over a manifest stream, offline, against the cached schemas. */
async function runKubeconform(manifests: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(helmHome, `manifests-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, manifests);
  const args = ['-strict', '-summary', '-kubernetes-version', KUBERNETES_VERSION, ...tools.schemaLocations.flatMap((location) => ['-schema-location', location]), file];
  try {
    const { stdout, stderr } = await execFileAsync(tools.kubeconform, args, { maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  } finally {
    await rm(file, { force: true });
  }
}

function milliseconds(value: string | undefined): number {
  return Number(value);
}

function toMebibytes(quantity: string | number | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity ?? ''));
  assert.ok(match !== null, `memory quantity ${String(quantity)} is in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

// ---- the tests ----

describe('Helm chart deploy/helm/cascade', function () {
  let defaults: Rendered;
  let everything: Rendered;
  let kedaDetected: Rendered;
  let oneBridgeWithoutKeda: Rendered;

  before(async function () {
    this.timeout(PROVISION_TIMEOUT_MS);
    helmHome = await mkdtemp(path.join(os.tmpdir(), 'cascade-helm-test-'));
    tools = await provisionChartTools(createChartToolContext({ cacheDir: resolveCacheDir(), logger: pino({ level: 'warn' }) }));
    const built = Object.entries(tools.provisionSeconds).filter(([, seconds]) => seconds >= 1);
    if (built.length > 0) process.stderr.write(`      provisioned: ${built.map(([name, seconds]) => `${name} ${seconds}s`).join(', ')}\n`);
    [defaults, everything, kedaDetected, oneBridgeWithoutKeda] = await Promise.all([
      render(),
      render({ values: [ALL_VALUES] }),
      render({ values: [ALL_VALUES], set: ['autoscaling.keda.enabled=auto'], apiVersions: ['keda.sh/v1alpha1/ScaledObject'] }),
      render({ values: [ALL_VALUES], set: ['bridge.perRoute=false', 'autoscaling.keda.enabled=false'] }),
    ]);
  });

  after(async () => {
    if (helmHome !== undefined) await rm(helmHome, { recursive: true, force: true });
  });

  describe('lint and schemas', () => {
    it('when the chart is linted, then helm lint --strict passes with the defaults and with every option on', async function () {
      this.timeout(120_000);
      for (const args of [[], ['--values', ALL_VALUES]]) {
        const output = await runHelm(['lint', CHART_DIR, '--strict', '--kube-version', KUBERNETES_VERSION, ...args]);
        assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      }
    });

    it(`when the chart is rendered (defaults, every option on, KEDA detected, one bridge with the HPA), then kubeconform -strict accepts every object against the Kubernetes ${KUBERNETES_VERSION}, KEDA and prometheus-operator schemas offline`, async function () {
      this.timeout(120_000);
      for (const [name, rendered] of Object.entries({ defaults, everything, kedaDetected, oneBridgeWithoutKeda })) {
        const result = await runKubeconform(rendered.text);
        assert.ok(result.ok, `${name}: ${result.output}`);
        assert.match(result.output, new RegExp(`Summary: ${rendered.objects.length} resources found .* Valid: ${rendered.objects.length}, Invalid: 0, Errors: 0, Skipped: 0`), `${name}: every object validated, none skipped`);
      }
      const kinds = new Set(everything.objects.map((object) => object.kind));
      for (const kind of ['Deployment', 'Job', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'ScaledObject', 'TriggerAuthentication', 'ServiceMonitor', 'PrometheusRule']) {
        assert.ok(kinds.has(kind), `the every-option render has a ${kind}`);
      }
      assert.ok(byKind(oneBridgeWithoutKeda, 'HorizontalPodAutoscaler').length > 0, 'the HPA is validated too');
    });

    it('when an object carries a field its schema does not have, then kubeconform rejects it (the schemas are applied, not skipped)', async function () {
      this.timeout(60_000);
      for (const [kind, mutate] of [
        ['ScaledObject', (object: Record<string, unknown>) => ({ ...object, spec: { ...(object.spec as object), minReplicas: 1 } })],
        ['Deployment', (object: Record<string, unknown>) => ({ ...object, spec: { ...(object.spec as object), replica: 2 } })],
        ['PrometheusRule', (object: Record<string, unknown>) => ({ ...object, spec: { ...(object.spec as object), group: [] } })],
      ] as const) {
        const original = everything.objects.find((object) => object.kind === kind);
        assert.ok(original !== undefined, `the every-option render has a ${kind}`);
        const result = await runKubeconform(stringify(mutate(original)));
        assert.equal(result.ok, false, `${kind} with an unknown field is rejected: ${result.output}`);
        assert.match(result.output, /additional properties|additionalProperties|not allowed/i, `${kind}: ${result.output}`);
      }
    });

    it('when values misspell a setting or name a route Cascade does not have, then values.schema.json refuses them', async function () {
      this.timeout(60_000);
      await assert.rejects(render({ set: ['bridge.perroute=true'] }), /additional properties 'perroute' not allowed/);
      await assert.rejects(render({ set: ['routes.account-event.queueUrl=https://sqs/q'] }), /additional properties 'account-event' not allowed/);
      await assert.rejects(render({ set: ['autoscaling.keda.enabled=maybe'] }), /autoscaling\/keda\/enabled/);
      const schema = z.object({ properties: z.object({ routes: z.object({ properties: z.record(z.string(), z.unknown()) }) }) }).parse(JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')));
      assert.deepEqual(Object.keys(schema.properties.routes.properties).sort(), [...ROUTE_NAMES].sort(), 'the schema lists exactly the routes of src/routes');
      assert.deepEqual(Object.keys(defaultValues.routes).sort(), [...ROUTE_NAMES].sort(), 'values.yaml lists every route');
    });

    it('when the chart is packaged, then the alert rules behind the files/ link are inside it', async function () {
      this.timeout(60_000);
      const out = path.join(helmHome, 'package');
      await mkdir(out, { recursive: true });
      await runHelm(['package', CHART_DIR, '--destination', out]);
      const { stdout } = await execFileAsync('tar', ['-xzOf', path.join(out, 'cascade-0.1.0.tgz'), 'cascade/files/prometheus-alerts.yaml']);
      assert.equal(stdout, await readFile(path.join(ROOT, 'deploy', 'observability', 'prometheus-alerts.yaml'), 'utf8'));
      const { stdout: listing } = await execFileAsync('tar', ['-tzf', path.join(out, 'cascade-0.1.0.tgz')]);
      assert.doesNotMatch(listing, /cascade\/ci\//, 'the CI values files stay out of the package');
    });
  });

  describe('workloads', () => {
    it('when a bridge or worker runs, then its liveness and startup probes ask /healthz and its readiness probe /readyz on the HTTP port', () => {
      for (const rendered of [defaults, everything]) {
        const deployments = workloads(rendered).filter((workload) => workload.kind === 'Deployment');
        assert.ok(deployments.length >= 2);
        for (const deployment of deployments) {
          const container = containerOf(deployment);
          const port = Number(toContainerEnvironment(container).CASCADE_HTTP_PORT);
          assert.deepEqual(container.ports, [{ name: 'http', containerPort: port }], `${deployment.metadata.name} exposes CASCADE_HTTP_PORT as http`);
          assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http' }, `${deployment.metadata.name} liveness`);
          assert.deepEqual(container.startupProbe?.httpGet, { path: '/healthz', port: 'http' }, `${deployment.metadata.name} startup`);
          assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' }, `${deployment.metadata.name} readiness`);
          assert.equal(toContainerEnvironment(container).CASCADE_HTTP_HOST, '0.0.0.0', 'the kubelet reaches the port from outside the pod');
        }
      }
    });

    it('when any Cascade pod runs, then it is non-root with a read-only root filesystem, no privilege escalation, no capabilities, and an in-memory /tmp', () => {
      for (const rendered of [defaults, everything]) {
        for (const workload of workloads(rendered)) {
          const { spec } = workload.spec.template;
          const container = containerOf(workload);
          assert.equal(spec.securityContext.runAsNonRoot, true, `${workload.metadata.name} pod runAsNonRoot`);
          assert.ok((spec.securityContext.runAsUser ?? 0) > 0, `${workload.metadata.name} runs as a non-zero uid`);
          assert.equal(container.securityContext.runAsNonRoot, true);
          assert.equal(container.securityContext.readOnlyRootFilesystem, true, `${workload.metadata.name} readOnlyRootFilesystem`);
          assert.equal(container.securityContext.allowPrivilegeEscalation, false);
          assert.deepEqual(container.securityContext.capabilities?.drop, ['ALL']);
          const tmp = container.volumeMounts.find((mount) => mount.mountPath === '/tmp');
          assert.ok(tmp !== undefined, `${workload.metadata.name} mounts /tmp (CASCADE_STATE_DIR=/tmp/cascade)`);
          assert.ok(spec.volumes.find((volume) => volume.name === tmp.name)?.emptyDir !== undefined, '/tmp is an emptyDir');
          assert.equal(spec.automountServiceAccountToken, false, 'no Kubernetes API token in the pod');
        }
      }
    });

    it('when a pod is stopped, then Kubernetes waits longer than CASCADE_SHUTDOWN_GRACE_MS before killing it', async function () {
      this.timeout(60_000);
      const graceRendered = await render({ set: ['shutdownGraceMs=125500'] });
      for (const rendered of [defaults, everything, graceRendered]) {
        const deployments = workloads(rendered).filter((workload) => workload.kind === 'Deployment');
        assert.ok(deployments.length >= 2);
        for (const deployment of deployments) {
          const graceMs = milliseconds(toContainerEnvironment(containerOf(deployment)).CASCADE_SHUTDOWN_GRACE_MS);
          assert.ok(graceMs >= 10_000, `${deployment.metadata.name} sets CASCADE_SHUTDOWN_GRACE_MS`);
          const periodSeconds = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
          assert.ok(periodSeconds * 1000 >= graceMs + 10_000, `${deployment.metadata.name}: terminationGracePeriodSeconds ${periodSeconds} leaves at least 10 s beyond ${graceMs} ms`);
        }
      }
      const grace = workloads(graceRendered).find((workload) => workload.kind === 'Deployment');
      assert.equal(grace?.spec.template.spec.terminationGracePeriodSeconds, 126 + 20, '125.5 s rounded up, plus the 20 s margin');
    });

    it('when the bridge runs, then its NODE_OPTIONS keep the image\'s, cap the old space with room for CASCADE_MAX_IN_FLIGHT, and its memory limit sits above the cap', () => {
      const imageOptions = toImageEnvironment().NODE_OPTIONS ?? '';
      assert.ok(imageOptions.length > 0, 'the Dockerfile sets NODE_OPTIONS');
      for (const rendered of [defaults, everything]) {
        for (const workload of workloads(rendered)) {
          const container = containerOf(workload);
          const env = toContainerEnvironment(container);
          assert.ok(container.resources.requests?.cpu !== undefined && container.resources.requests.memory !== undefined, `${workload.metadata.name} requests CPU and memory`);
          assert.ok(container.resources.limits?.memory !== undefined, `${workload.metadata.name} has a memory limit`);
          if (componentOf(workload) !== 'bridge') {
            assert.equal(env.NODE_OPTIONS, undefined, `${workload.metadata.name} keeps the image's NODE_OPTIONS (the worker's workflow cache is sized from the default heap limit)`);
            continue;
          }
          const options = (env.NODE_OPTIONS ?? '').split(/\s+/);
          for (const option of imageOptions.split(/\s+/)) assert.ok(options.includes(option), `the bridge keeps the image's ${option}`);
          const oldSpaceMb = Number(/^--max-old-space-size=(\d+)$/.exec(options.find((o) => o.startsWith('--max-old-space-size=')) ?? '')?.[1]);
          assert.ok(oldSpaceMb > 0, 'the bridge caps its old space');
          assert.ok(toMebibytes(container.resources.limits.memory) > oldSpaceMb + 256, `the bridge's memory limit ${String(container.resources.limits.memory)} leaves room above the ${oldSpaceMb} MB old space`);
          const maxInFlight = Number(env.CASCADE_MAX_IN_FLIGHT ?? '100');
          const budget = toHeapBudget(maxInFlight, oldSpaceMb * 1024 * 1024);
          assert.ok(budget.fits, describeHeapShortfall(budget));
        }
      }
    });

    it('when Deployments are disrupted or scheduled, then each has a PodDisruptionBudget and zone/node spread selecting exactly its own pods', () => {
      for (const rendered of [defaults, everything]) {
        const deployments = workloads(rendered).filter((workload) => workload.kind === 'Deployment');
        const budgets = byKind(rendered, 'PodDisruptionBudget').map((object) => pdbSchema.parse(object));
        assert.equal(budgets.length, deployments.length, 'one PodDisruptionBudget per Deployment');
        for (const deployment of deployments) {
          const podLabels = deployment.spec.template.metadata.labels;
          const selects = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);
          assert.deepEqual(deployment.spec.selector?.matchLabels !== undefined && selects(deployment.spec.selector.matchLabels), true);
          const matching = budgets.filter((budget) => selects(budget.spec.selector.matchLabels));
          assert.equal(matching.length, 1, `${deployment.metadata.name} is covered by exactly one PodDisruptionBudget`);
          for (const other of deployments.filter((d) => d !== deployment)) {
            assert.ok(!matching.some((budget) => Object.entries(budget.spec.selector.matchLabels).every(([key, value]) => other.spec.template.metadata.labels[key] === value)), `${deployment.metadata.name}'s budget does not count ${other.metadata.name}'s pods`);
          }
          const spread = deployment.spec.template.spec.topologySpreadConstraints ?? [];
          assert.deepEqual(spread.map((constraint) => constraint.topologyKey).sort(), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
          for (const constraint of spread) assert.ok(selects(constraint.labelSelector.matchLabels), `${deployment.metadata.name} spreads its own pods`);
        }
      }
    });
  });

  describe('migrations and init', () => {
    it('when the release is installed or upgraded, then `cascade db migrate` runs first as a pre-install/pre-upgrade hook Job', () => {
      for (const rendered of [defaults, everything]) {
        const migrate = workloads(rendered).find((workload) => workload.kind === 'Job' && componentOf(workload) === 'migrate');
        assert.ok(migrate !== undefined, 'a migration Job');
        assert.deepEqual(containerOf(migrate).args, ['db', 'migrate']);
        assert.equal(migrate.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
        assert.match(migrate.metadata.annotations?.['helm.sh/hook-delete-policy'] ?? '', /before-hook-creation/);
      }
    });

    it('when init is enabled, then `cascade init` runs as a hook after the migrations, and the hooks\' ServiceAccount is created before both', () => {
      assert.equal(workloads(defaults).filter((workload) => workload.kind === 'Job' && componentOf(workload) === 'init').length, 0, 'init is off by default');
      const jobs = workloads(everything).filter((workload) => workload.kind === 'Job');
      const init = jobs.find((job) => componentOf(job) === 'init');
      const migrate = jobs.find((job) => componentOf(job) === 'migrate');
      assert.ok(init !== undefined && migrate !== undefined);
      assert.deepEqual(containerOf(init).args, ['init']);
      assert.equal(init.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
      const weight = (object: { metadata: { annotations?: Record<string, string> } }) => Number(object.metadata.annotations?.['helm.sh/hook-weight'] ?? '0');
      assert.ok(weight(init) > weight(migrate), 'init runs after the migrations');
      const hookAccount = byKind(everything, 'ServiceAccount').find((account) => account.metadata.name === init.spec.template.spec.serviceAccountName);
      assert.ok(hookAccount !== undefined, 'the Jobs run as a ServiceAccount of the chart');
      assert.match(hookAccount.metadata.annotations?.['helm.sh/hook'] ?? '', /pre-install/, 'which exists before the hooks run');
      assert.ok(weight(hookAccount) < weight(migrate));
      assert.equal(hookAccount.metadata.annotations?.['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/cascade', 'with the same IAM role annotation');
    });
  });

  describe('autoscaling', () => {
    it('when KEDA is not installed, then each Deployment gets a CPU HorizontalPodAutoscaler and no ScaledObject is rendered', () => {
      for (const rendered of [defaults, oneBridgeWithoutKeda]) {
        assert.equal(byKind(rendered, 'ScaledObject').length, 0);
        const deployments = workloads(rendered).filter((workload) => workload.kind === 'Deployment');
        const hpas = byKind(rendered, 'HorizontalPodAutoscaler').map((object) => hpaSchema.parse(object));
        assert.deepEqual(hpas.map((hpa) => hpa.spec.scaleTargetRef.name).sort(), deployments.map((d) => d.metadata.name).sort());
        for (const hpa of hpas) {
          assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
          assert.deepEqual(hpa.spec.metrics.map((metric) => metric.resource.name), ['cpu']);
          assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
        }
        for (const deployment of deployments) assert.equal(deployment.spec.replicas, undefined, 'the autoscaler owns replicas');
      }
    });

    it('when KEDA is installed (detected or forced), then ScaledObjects replace the HPAs: bridges on their queues\' depth, the worker on the task-queue backlog', () => {
      for (const rendered of [everything, kedaDetected]) {
        assert.equal(byKind(rendered, 'HorizontalPodAutoscaler').length, 0, 'no HPA beside KEDA (it makes its own)');
        const deployments = workloads(rendered).filter((workload) => workload.kind === 'Deployment');
        const scaled = byKind(rendered, 'ScaledObject').map((object) => scaledObjectSchema.parse(object));
        assert.deepEqual(scaled.map((s) => s.spec.scaleTargetRef.name).sort(), deployments.map((d) => d.metadata.name).sort(), 'one ScaledObject per Deployment');
        const authentications = new Map(byKind(rendered, 'TriggerAuthentication').map((object) => triggerAuthenticationSchema.parse(object)).map((auth) => [auth.metadata.name, auth]));
        for (const deployment of deployments) {
          const env = toContainerEnvironment(containerOf(deployment));
          const scaler = scaled.find((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
          assert.ok(scaler !== undefined);
          for (const trigger of scaler.spec.triggers) {
            const auth = authentications.get(trigger.authenticationRef?.name ?? '');
            assert.ok(auth !== undefined, `${deployment.metadata.name}: the trigger's TriggerAuthentication is rendered`);
          }
          if (componentOf(deployment) === 'bridge') {
            const queueUrls = Object.entries(env).filter(([name]) => name.startsWith('CASCADE_QUEUE_URL_')).map(([, url]) => url).sort();
            assert.ok(scaler.spec.triggers.every((trigger) => trigger.type === 'aws-sqs-queue'));
            assert.deepEqual(scaler.spec.triggers.map((trigger) => trigger.metadata.queueURL).sort(), queueUrls, `${deployment.metadata.name} scales on the queues it consumes`);
            for (const trigger of scaler.spec.triggers) {
              assert.equal(trigger.metadata.awsRegion, env.AWS_REGION);
              assert.ok(Number(trigger.metadata.queueLength) > 0);
            }
          } else {
            assert.deepEqual(scaler.spec.triggers.map((trigger) => trigger.type), ['temporal']);
            const metadata = scaler.spec.triggers[0]?.metadata ?? {};
            assert.equal(metadata.endpoint, env.TEMPORAL_ADDRESS);
            assert.equal(metadata.namespace, env.TEMPORAL_NAMESPACE);
            assert.equal(metadata.taskQueue, env.TEMPORAL_TASK_QUEUE);
            assert.equal(metadata.tlsServerName, env.TEMPORAL_TLS_SERVER_NAME);
            const auth = authentications.get(scaler.spec.triggers[0]?.authenticationRef?.name ?? '');
            const references = new Map((auth?.spec.secretTargetRef ?? []).map((ref) => [ref.parameter, `${ref.name}/${ref.key}`]));
            const { tls, apiKey } = allValues.temporal;
            assert.equal(references.get('apiKey'), `${apiKey.existingSecret}/${apiKey.key}`, 'KEDA uses the worker\'s API key');
            assert.equal(references.get('cert'), `${tls.existingSecret}/tls.crt`, 'and its client certificate');
            assert.equal(references.get('ca'), `${tls.existingSecret}/${tls.caKey}`);
          }
        }
      }
    });

    it('when the bridges run one per route, then each Deployment serves exactly its route (CASCADE_ROUTES) and loadConfig agrees', () => {
      const bridges = workloads(everything).filter((workload) => workload.kind === 'Deployment' && componentOf(workload) === 'bridge');
      assert.deepEqual(bridges.map((bridge) => bridge.metadata.name).sort(), ROUTE_NAMES.map((route) => `cascade-bridge-${route}`).sort());
      for (const bridge of bridges) {
        const route = bridge.metadata.name.replace(/^cascade-bridge-/, '');
        const env = toContainerEnvironment(containerOf(bridge));
        assert.equal(env.CASCADE_ROUTES, route);
        assert.deepEqual(Object.keys(env).filter((name) => name.startsWith('CASCADE_QUEUE_URL_')), [toQueueUrlVariable(route)]);
      }
      const [bridge] = workloads(oneBridgeWithoutKeda).filter((workload) => workload.kind === 'Deployment' && componentOf(workload) === 'bridge');
      assert.ok(bridge !== undefined);
      assert.equal(toContainerEnvironment(containerOf(bridge)).CASCADE_ROUTES, undefined, 'one bridge serves every route with a queue URL');
    });
  });

  describe('configuration', () => {
    it('when a Cascade container sets a variable, then it is a Cascade config variable, an AWS SDK variable or NODE_OPTIONS', () => {
      const known = new Set(listConfigVariables());
      for (const rendered of [defaults, everything, oneBridgeWithoutKeda]) {
        for (const workload of workloads(rendered)) {
          const unknown = containerOf(workload)
            .env.map((variable) => variable.name)
            .filter((name) => !known.has(name) && !AWS_SDK_PASS_THROUGH_VARIABLES.includes(name) && !NODE_PASS_THROUGH_VARIABLES.includes(name));
          assert.deepEqual(unknown, [], `${workload.metadata.name} sets variables Cascade does not read (typo, or missing from src/config/config.ts)`);
        }
      }
    });

    it('when each container\'s environment (image ENV, chart values, Secrets, mounted certificates) is loaded for its roles, then loadConfig accepts it', async function () {
      this.timeout(60_000);
      const certificates = await createTestCertificates();
      const { tls } = allValues.temporal;
      const mounted = path.join(certificates.dir, 'mounted');
      await mkdir(mounted, { recursive: true });
      await copyFile(certificates.clientCert, path.join(mounted, tls.certKey ?? 'tls.crt'));
      await copyFile(certificates.clientKey, path.join(mounted, 'tls.key'));
      await copyFile(certificates.caCert, path.join(mounted, tls.caKey));
      try {
        let checked = 0;
        for (const rendered of [everything, oneBridgeWithoutKeda]) {
          for (const workload of workloads(rendered)) {
            const component = componentOf(workload);
            const container = containerOf(workload);
            const mount = container.volumeMounts.find((m) => m.name === 'temporal-tls');
            assert.ok(mount !== undefined && mount.readOnly === true, `${workload.metadata.name} mounts the Temporal client certificate read-only`);
            assert.equal(workload.spec.template.spec.volumes.find((volume) => volume.name === 'temporal-tls')?.secret?.secretName, tls.existingSecret);
            const chartEnv = toContainerEnvironment(container);
            const env: Record<string, string> = { ...toImageEnvironment(), ...chartEnv };
            for (const [name, value] of Object.entries(env)) if (value.startsWith(`${mount.mountPath}/`)) env[name] = path.join(mounted, value.slice(mount.mountPath.length + 1));
            const { args, roles } = COMPONENT_ROLES[component] ?? { args: [], roles: [] };
            assert.deepEqual(container.args, [...args], `${workload.metadata.name} runs \`cascade ${args.join(' ')}\``);
            try {
              const config = loadConfig(env, roles);
              assert.equal(config.http.host, '0.0.0.0');
              assert.equal(config.bridge.shutdownGraceMs, Number(chartEnv.CASCADE_SHUTDOWN_GRACE_MS));
              assert.ok(config.payloadKeys.length > 0, 'payloads are encrypted (NODE_ENV=production from the image)');
              assert.equal(config.temporal.connection.apiKey, SAMPLE_SECRET_VALUES.TEMPORAL_API_KEY);
              if (roles.includes('worker')) assert.equal(config.databaseUrl, SAMPLE_SECRET_VALUES.DATABASE_URL);
              if (component === 'worker' || (component === 'bridge' && chartEnv.CASCADE_ROUTES === undefined)) {
                assert.deepEqual(config.routes.map((r) => r.route).sort(), Object.keys(allValues.routes).sort(), `${workload.metadata.name} serves every route`);
              }
              if (chartEnv.CASCADE_ROUTES !== undefined) assert.deepEqual(config.routes.map((r) => r.route), [chartEnv.CASCADE_ROUTES]);
            } catch (error) {
              if (isConfigError(error)) assert.fail(`${workload.metadata.name}: ${error.message}`);
              throw error;
            }
            checked += 1;
          }
        }
        assert.ok(checked >= 10, `bridges, worker and both Jobs in two renders (${checked})`);
      } finally {
        await rm(certificates.dir, { recursive: true, force: true });
      }
    });

    it('when any configuration variable is wanted, then the chart can set it: from its own values, a Secret, or `config`', async function () {
      this.timeout(60_000);
      const setByChart = new Set(
        workloads(everything)
          .concat(workloads(oneBridgeWithoutKeda))
          .flatMap((workload) => containerOf(workload).env.map((variable) => variable.name))
          .filter((name) => !(name in allValues.config)),
      );
      const throughConfig = listConfigVariables().filter((name) => !setByChart.has(name));
      const file = path.join(helmHome, 'every-variable.yaml');
      await writeFile(file, stringify({ config: Object.fromEntries(throughConfig.map((name) => [name, `value-of-${name}`])) }));
      const rendered = await render({ values: [ALL_VALUES, file] });
      for (const workload of workloads(rendered)) {
        const env = new Map(containerOf(workload).env.map((variable) => [variable.name, variable.value]));
        for (const name of throughConfig) assert.equal(env.get(name), `value-of-${name}`, `${workload.metadata.name} gets config.${name}`);
      }
      assert.ok(throughConfig.length > 30 && setByChart.size > 10);
    });

    it('when config sets a variable the chart owns, then rendering fails and says where it comes from instead', async function () {
      this.timeout(60_000);
      for (const [setting, owner] of [
        ['config.TEMPORAL_ADDRESS=elsewhere:7233', 'TEMPORAL_ADDRESS'],
        ['config.CASCADE_SHUTDOWN_GRACE_MS=5000', 'CASCADE_SHUTDOWN_GRACE_MS'],
        ['config.DATABASE_URL=postgresql://in-plain-text', 'DATABASE_URL'],
        [`config.${toQueueUrlVariable('tasks')}=http://queue`, toQueueUrlVariable('tasks')],
      ] as const) {
        await assert.rejects(render({ set: [setting] }), new RegExp(`the chart sets ${owner} itself`), setting);
      }
    });

    it('when a value is secret, then it comes from an existing Secret by reference: the chart renders no Secret and no secret in plain text', () => {
      for (const [rendered, secretName] of [
        [defaults, defaultValues.secrets.existingSecret],
        [everything, allValues.secrets.existingSecret],
      ] as const) {
        assert.equal(byKind(rendered, 'Secret').length, 0);
        for (const workload of workloads(rendered)) {
          const env = containerOf(workload).env;
          for (const [name, reference] of Object.entries(defaultValues.secrets.env)) {
            const variable = env.find((v) => v.name === name);
            assert.ok(variable?.valueFrom !== undefined && variable.value === undefined, `${workload.metadata.name} takes ${name} from a Secret`);
            assert.deepEqual(variable.valueFrom.secretKeyRef.name, secretName);
            assert.equal(variable.valueFrom.secretKeyRef.key, reference?.key);
          }
        }
      }
      const apiKey = workloads(everything).map((workload) => containerOf(workload).env.find((v) => v.name === 'TEMPORAL_API_KEY'));
      assert.ok(apiKey.every((variable) => variable?.valueFrom?.secretKeyRef.name === allValues.temporal.apiKey.existingSecret));
    });

    it('when config holds numbers, then they are rendered as written (no float notation)', () => {
      const worker = workloads(everything).find((workload) => workload.kind === 'Deployment' && componentOf(workload) === 'worker');
      assert.ok(worker !== undefined);
      const env = toContainerEnvironment(containerOf(worker));
      assert.equal(env.CASCADE_ACTIVITY_SCHEDULE_TO_CLOSE_MS, '86400000');
      assert.equal(env.CASCADE_ACTIVITY_BACKOFF_COEFFICIENT, '1.5');
      assert.equal(env.CASCADE_MAX_IN_FLIGHT, '200');
    });
  });

  describe('monitoring', () => {
    it('when the ServiceMonitor is enabled, then it scrapes /metrics on the http port of the bridge and worker Services, which select their pods', () => {
      const [monitor] = byKind(everything, 'ServiceMonitor').map((object) => serviceMonitorSchema.parse(object));
      assert.ok(monitor !== undefined);
      assert.deepEqual(monitor.spec.endpoints.map((endpoint) => [endpoint.port, endpoint.path]), [['http', '/metrics']]);
      const services = byKind(everything, 'Service').map((object) => serviceSchema.parse(object));
      const scraped = services.filter((service) => {
        const labels = service.metadata.labels ?? {};
        return Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => labels[key] === value) && monitor.spec.selector.matchExpressions.every((expression) => expression.values.includes(labels[expression.key] ?? ''));
      });
      assert.deepEqual(scraped.map((service) => service.metadata.labels?.['app.kubernetes.io/component']).sort(), ['bridge', 'worker']);
      const deployments = workloads(everything).filter((workload) => workload.kind === 'Deployment');
      for (const service of scraped) {
        assert.ok(service.spec.ports.some((port) => port.name === 'http' && port.targetPort === 'http'));
        const selected = deployments.filter((deployment) => Object.entries(service.spec.selector).every(([key, value]) => deployment.spec.template.metadata.labels[key] === value));
        assert.ok(selected.length > 0 && selected.every((deployment) => componentOf(deployment) === service.metadata.labels?.['app.kubernetes.io/component']));
      }
      assert.equal(byKind(defaults, 'ServiceMonitor').length, 0, 'off by default');
    });

    it('when the PrometheusRule is enabled, then its groups are those of deploy/observability/prometheus-alerts.yaml', async () => {
      const rules = ruleFileSchema.parse(parse(await readFile(path.join(ROOT, 'deploy', 'observability', 'prometheus-alerts.yaml'), 'utf8')));
      const [rule] = byKind(everything, 'PrometheusRule');
      assert.ok(rule !== undefined);
      assert.deepEqual((rule as { spec?: unknown }).spec, { groups: rules.groups });
      assert.equal(byKind(defaults, 'PrometheusRule').length, 0, 'off by default');
    });
  });
});
