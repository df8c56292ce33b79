import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { type GoTool, type GoToolContext, StackError, downloadGoModule, resolveGoTool } from '../../src/stack';
import { findOnPath } from '../../src/stack/find-executable';
import { withFileLock } from '../../src/stack/file-lock';
import { runTool } from '../../src/stack/tool-runner';

/**
 * The tools that validate the Helm chart offline (test/deploy): Helm and
 * kubeconform built from the Go module proxy, the Kubernetes JSON schemas of
 * the PyPI package kubernetes-validate, and JSON schemas generated from the
 * CRDs of KEDA and prometheus-operator (their Go modules' sources). All are
 * cached under the cache dir (~/.cache/cascade) and provisioned on first use,
 * each once, under a lock.
 */

export const HELM_TOOL: GoTool = {
  service: 'helm',
  packagePath: 'helm.sh/helm/v3/cmd/helm',
  version: '3.22.0',
  binaryName: 'helm',
  displayName: 'Helm',
  // As Helm's Makefile: the version, and the Kubernetes version of its client-go (v0.37 → 1.37) as the
  // default of `helm template`/`lint` (go install alone leaves 1.20). The tests pass --kube-version anyway.
  ldflags: [
    '-X helm.sh/helm/v3/internal/version.version=v3.22.0',
    ...['chartutil', 'lint/rules'].flatMap((pkg) => [`-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1`, `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=37`]),
  ].join(' '),
  hint: 'Or install Helm 3 yourself and put it on PATH as helm.',
};

export const KUBECONFORM_TOOL: GoTool = {
  service: 'kubeconform',
  packagePath: 'github.com/yannh/kubeconform/cmd/kubeconform',
  version: '0.8.0',
  binaryName: 'kubeconform',
  hint: 'The chart tests validate rendered manifests with it.',
};

/** Kubernetes version the chart is rendered for and validated against. */
export const KUBERNETES_VERSION = '1.33.0';

/** PyPI package whose wheel carries the Kubernetes JSON schemas (v1.25 to v1.37, strict variants included). */
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';

/** Go modules whose sources hold the CRDs the chart renders objects of. */
export const CRD_SOURCES: readonly CrdSource[] = [
  { name: 'keda', modulePath: 'github.com/kedacore/keda/v2', version: '2.21.0', files: ['config/crd/bases/keda.sh_scaledobjects.yaml', 'config/crd/bases/keda.sh_triggerauthentications.yaml'] },
  {
    name: 'prometheus-operator',
    modulePath: 'github.com/prometheus-operator/prometheus-operator',
    version: '0.85.0',
    files: ['example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml', 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml'],
  },
];

/** A Go module and the CRD files (paths inside the module) taken from it. */
export interface CrdSource {
  /** Short name, in the cache directory's name. */
  readonly name: string;
  readonly modulePath: string;
  readonly version: string;
  readonly files: readonly string[];
}

/** Everything kubeconform needs to validate offline. */
export interface ChartTools {
  readonly helm: string;
  readonly kubeconform: string;
  /** `-schema-location` arguments, Kubernetes first. */
  readonly schemaLocations: readonly string[];
  /** Seconds each provisioning step took in this process (0: it was cached). */
  readonly provisionSeconds: Readonly<Record<string, number>>;
}

/** Builds or finds every tool; the first run on a machine takes minutes (two `go install`s). */
export async function provisionChartTools(ctx: GoToolContext): Promise<ChartTools> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    seconds[name] = Math.round((Date.now() - started) / 100) / 10;
    return result;
  };
  const helm = await timed('helm', () => resolveGoTool(HELM_TOOL, ctx));
  const kubeconform = await timed('kubeconform', () => resolveGoTool(KUBECONFORM_TOOL, ctx));
  const kubernetesSchemas = await timed('kubernetes schemas', () => provisionKubernetesSchemas(ctx));
  const crdSchemas = await timed('CRD schemas', () => provisionCrdSchemas(ctx));
  return { helm, kubeconform, schemaLocations: [kubernetesSchemas, crdSchemas], provisionSeconds: seconds };
}

/**
 * Extracts the strict schemas of {@link KUBERNETES_VERSION} from the
 * kubernetes-validate wheel (pip download, no install) into the cache, with
 * their `$ref`s made relative so kubeconform resolves them from the files.
 * @returns kubeconform's `-schema-location` template for them
 */
export async function provisionKubernetesSchemas(ctx: GoToolContext): Promise<string> {
  const root = path.join(ctx.cacheDir, 'schemas', `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);
  const versionDir = path.join(root, `v${KUBERNETES_VERSION}-local-strict`);
  const template = path.join(root, '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}', '{{ .ResourceKind }}{{ .KindSuffix }}.json');
  const stamp = path.join(versionDir, '.cascade-complete');
  if (existsSync(stamp)) return template;
  return withFileLock(`${root}.lock`, async () => {
    if (existsSync(stamp)) return template;
    const python = findOnPath('python3');
    if (python === undefined) {
      throw new StackError('kubernetes schemas', 'python3 is not on PATH; the Kubernetes JSON schemas come from the PyPI package kubernetes-validate (pip download).', 'Install Python 3 with pip.');
    }
    const download = path.join(root, 'download');
    await rm(download, { recursive: true, force: true });
    const logFile = path.join(ctx.cacheDir, 'logs', `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}.log`);
    await runTool({
      service: 'kubernetes schemas',
      step: `downloading kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} from PyPI (first run only)`,
      command: python,
      args: ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '--no-deps', '--dest', download, `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`],
      logFile,
      hint: 'Check that pip can reach PyPI (PIP_INDEX_URL / proxy settings).',
      onProgress: ctx.onProgress,
    });
    const wheel = (await readdir(download)).find((name) => name.endsWith('.whl'));
    if (wheel === undefined) throw new StackError('kubernetes schemas', `pip left no wheel in ${download}. Log ${logFile}.`, 'Check that pip can reach PyPI.');
    await rm(versionDir, { recursive: true, force: true });
    await runTool({
      service: 'kubernetes schemas',
      step: `extracting the Kubernetes ${KUBERNETES_VERSION} schemas`,
      command: python,
      args: ['-c', EXTRACT_SCHEMAS_PY, path.join(download, wheel), `v${KUBERNETES_VERSION}-local-strict`, versionDir],
      logFile: path.join(ctx.cacheDir, 'logs', `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}-extract.log`),
      hint: `The wheel may not carry Kubernetes ${KUBERNETES_VERSION}: pick a KUBERNETES_VERSION it has.`,
      onProgress: ctx.onProgress,
    });
    await rm(download, { recursive: true, force: true });
    await writeFile(stamp, `${new Date().toISOString()}\n`);
    return template;
  });
}

/**
 * Copies one schema directory out of the wheel (a zip). Each schema names
 * itself `https://kubernetes.io/api/…` (`$id`) and refers to
 * `/api/_definitions.json`, which would send kubeconform to the network: the
 * `$id`s are dropped and the references point at the sibling file.
 */
const EXTRACT_SCHEMAS_PY = `
import json, os, sys, zipfile
wheel, version_dir, out = sys.argv[1:4]
prefix = 'kubernetes_validate/kubernetes-json-schema/' + version_dir + '/'
os.makedirs(out, exist_ok=True)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith('.json'):
            text = z.read(name).decode('utf-8').replace('"/api/_definitions.json#', '"_definitions.json#')
            schema = json.loads(text)
            schema.pop('$id', None)
            with open(os.path.join(out, name[len(prefix):]), 'w', encoding='utf-8') as f:
                json.dump(schema, f)
            count += 1
if count == 0:
    sys.exit('no schemas under ' + prefix)
print(count, 'schemas')
`;

/**
 * JSON schemas for kubeconform from the CRDs of {@link CRD_SOURCES}, one file
 * per served version at `<dir>/<group>/<kind>_<version>.json`.
 * @returns kubeconform's `-schema-location` template for them
 */
export async function provisionCrdSchemas(ctx: GoToolContext): Promise<string> {
  const root = path.join(ctx.cacheDir, 'schemas', `crds-${CRD_SOURCES.map((source) => `${source.name}-${source.version}`).join('_')}`);
  const template = path.join(root, '{{ .Group }}', '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json');
  const stamp = path.join(root, '.cascade-complete');
  if (existsSync(stamp)) return template;
  return withFileLock(`${root}.lock`, async () => {
    if (existsSync(stamp)) return template;
    await rm(root, { recursive: true, force: true });
    for (const source of CRD_SOURCES) {
      const module = await downloadGoModule('crd schemas', source.modulePath, source.version, ctx);
      for (const file of source.files) {
        const crdFile = path.join(module.dir, file);
        for (const schema of toCrdJsonSchemas(await readFile(crdFile, 'utf8'), crdFile)) {
          const target = path.join(root, schema.group, `${schema.kind.toLowerCase()}_${schema.version}.json`);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, `${JSON.stringify(schema.schema, null, 1)}\n`);
        }
      }
    }
    await writeFile(stamp, `${new Date().toISOString()}\n`);
    return template;
  });
}

const crdSchema = z.object({
  kind: z.literal('CustomResourceDefinition'),
  spec: z.object({
    group: z.string(),
    names: z.object({ kind: z.string() }),
    versions: z.array(z.object({ name: z.string(), served: z.boolean(), schema: z.object({ openAPIV3Schema: z.record(z.string(), z.unknown()) }) })),
  }),
});

/** One served version of a CRD as a JSON schema. */
export interface CrdJsonSchema {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Record<string, unknown>;
}

/** The JSON schemas of every served version of the CRDs in a YAML file. */
export function toCrdJsonSchemas(yamlText: string, source: string): CrdJsonSchema[] {
  const schemas: CrdJsonSchema[] = [];
  for (const document of parseAllDocuments(yamlText)) {
    const parsed = crdSchema.safeParse(document.toJS());
    if (!parsed.success) throw new Error(`${source} is not a CustomResourceDefinition: ${parsed.error.message}`);
    const { group, names, versions } = parsed.data.spec;
    for (const version of versions.filter((v) => v.served)) {
      schemas.push({ group, kind: names.kind, version: version.name, schema: toStrictJsonSchema(version.schema.openAPIV3Schema) });
    }
  }
  return schemas;
}

/**
 * A CRD's OpenAPI v3 schema as a strict JSON schema, the way kubeconform's
 * openapi2jsonschema does it: objects with `properties` reject unknown fields
 * (unless they preserve unknown fields), int-or-string becomes either type.
 */
export function toStrictJsonSchema(openApi: Record<string, unknown>): Record<string, unknown> {
  return convertNode(openApi) as Record<string, unknown>;
}

function convertNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNode);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'format' && value === 'int-or-string') continue;
    // properties/patternProperties map names to schemas: convert each schema, keep the names.
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, schema]) => [name, convertNode(schema)]));
    } else {
      out[key] = convertNode(value);
    }
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (source.properties !== undefined && source.additionalProperties === undefined && source['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** Options of {@link createChartToolContext}. */
export interface ChartToolContextOptions {
  cacheDir: string;
  logger: Logger;
}

/** A {@link GoToolContext} that prints provisioning progress (cold builds take minutes). */
export function createChartToolContext(options: ChartToolContextOptions): GoToolContext {
  return { ...options, onProgress: (event) => process.stderr.write(`      [${event.service}] ${event.step}\n`) };
}
