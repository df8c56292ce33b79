import { existsSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toAwsRequestHandler } from '../app/aws-request-handler';
import { ensureBucket, ensureTopic } from '../app/provision';
import { EMULATOR_REGION } from './elasticmq';
import { findOnPath } from './find-executable';
import { withFileLock } from './file-lock';
import { STACK_HOST } from './ports';
import type { ServiceContext, StackService } from './service';
import { StackError } from './stack-error';
import { runTool } from './tool-runner';

/** moto version installed from PyPI into the cached venv. */
export const MOTO_VERSION = '5.2.5';

/** Account ID in the ARNs moto returns. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** `arn:aws:sns:<region>:123456789012:<topic>`, the ARN moto gives a topic. */
export function toMotoTopicArn(topicName: string): string {
  return `arn:aws:sns:${EMULATOR_REGION}:${MOTO_ACCOUNT_ID}:${topicName}`;
}

/**
 * moto server (S3 and SNS APIs) from PyPI, in a cached virtualenv; state is in
 * memory, so the routes' topic and bucket (`destinations` of the queue config)
 * are created again whenever it is found healthy.
 */
export function createMotoService(ctx: ServiceContext): StackService {
  const endpoint = `http://${STACK_HOST}:${ctx.ports.moto}`;
  return {
    name: 'moto',
    url: endpoint,
    ports: [{ port: ctx.ports.moto, setting: 'moto' }],
    startTimeoutMs: 60_000,

    async prepare() {
      const venv = await ensureMotoVenv(ctx);
      return {
        command: path.join(venv, 'bin', 'python'),
        args: ['-m', 'moto.server', '-H', STACK_HOST, '-p', String(ctx.ports.moto)],
        cwd: ctx.stateDir,
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
      };
    },

    async checkHealth() {
      const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`moto answered HTTP ${response.status}`);
    },

    async afterHealthy() {
      const client = { region: EMULATOR_REGION, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 2, requestHandler: toAwsRequestHandler() };
      const sns = new SNSClient(client);
      const s3 = new S3Client({ ...client, forcePathStyle: true });
      try {
        const { auditTopic, emailArchiveBucket } = ctx.queueConfig.destinations;
        const topic = await ensureTopic(sns, auditTopic);
        if (topic.value !== toMotoTopicArn(auditTopic)) {
          throw new StackError('moto', `topic ${auditTopic} has ARN ${topic.value}, expected ${toMotoTopicArn(auditTopic)}.`, 'Is another moto (with another account ID) listening on this port?');
        }
        await ensureBucket(s3, emailArchiveBucket, EMULATOR_REGION);
      } finally {
        sns.destroy();
        s3.destroy();
      }
    },
  };
}

/** `<cacheDir>/moto-venv-<version>` with `moto[server]` installed, created once (stamp file when complete). */
async function ensureMotoVenv(ctx: ServiceContext): Promise<string> {
  const venv = path.join(ctx.cacheDir, `moto-venv-${MOTO_VERSION}`);
  const stamp = path.join(venv, '.cascade-complete');
  if (existsSync(stamp)) return venv;
  return withFileLock(
    `${venv}.lock`,
    async () => {
      if (existsSync(stamp)) return venv;
      const python = findOnPath('python3');
      if (python === undefined) {
        throw new StackError('moto', 'python3 is not on PATH; moto (the S3/SNS emulator) is installed from PyPI into a virtualenv.', 'Install Python 3.9+ with the venv module (e.g. `apt-get install python3-venv`).');
      }
      await rm(venv, { recursive: true, force: true }); // an unstamped venv is an interrupted install
      const logFile = path.join(ctx.cacheDir, 'logs', `moto-${MOTO_VERSION}-install.log`);
      const started = Date.now();
      await runTool({
        service: 'moto',
        step: 'creating the moto virtualenv (first run only)',
        command: python,
        args: ['-m', 'venv', venv],
        logFile,
        hint: 'Install the Python venv module (e.g. `apt-get install python3-venv`).',
        onProgress: ctx.onProgress,
      });
      await runTool({
        service: 'moto',
        step: `installing moto[server]==${MOTO_VERSION} from PyPI (first run only)`,
        command: path.join(venv, 'bin', 'python'),
        args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `moto[server]==${MOTO_VERSION}`],
        logFile,
        hint: 'Check that pip can reach PyPI (PIP_INDEX_URL / proxy settings).',
        onProgress: ctx.onProgress,
      });
      await writeFile(stamp, `${new Date().toISOString()}\n`);
      ctx.logger.info({ venv, seconds: Math.round((Date.now() - started) / 1000) }, 'installed moto');
      return venv;
    },
    { onWait: (pid) => ctx.onProgress?.({ service: 'moto', step: `waiting for the moto install of process ${pid}` }) },
  );
}
