import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { toErrorMessage } from '../errors/error-message';

/** One dependency `/readyz` checks. `check` rejects when it is unreachable. */
export interface ReadinessCheck {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

/** Temporal answers `GetSystemInfo`. */
export function createTemporalCheck(client: Client): ReadinessCheck {
  return {
    name: 'temporal',
    async check() {
      await client.connection.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
    },
  };
}

/** Every queue answers `GetQueueAttributes`. */
export function createSqsCheck(sqs: SQSClient, queueUrls: readonly string[]): ReadinessCheck {
  return {
    name: 'sqs',
    async check(signal) {
      await Promise.all(queueUrls.map((QueueUrl) => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }), { abortSignal: signal })));
    },
  };
}

/** The database answers `SELECT 1`. */
export function createDatabaseCheck(db: { $queryRaw: (query: TemplateStringsArray) => Promise<unknown> }): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await db.$queryRaw`SELECT 1`;
    },
  };
}

/** Result of running every check: `ready` only when all passed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; error?: string }>;
}

/** Runs the checks in parallel, each bounded by `timeoutMs`. */
export async function runReadinessChecks(checks: readonly ReadinessCheck[], timeoutMs = 2500): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, { ok: boolean; error?: string }]> => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          c.check(signal),
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true })),
        ]);
        return [c.name, { ok: true }];
      } catch (error) {
        return [c.name, { ok: false, error: toErrorMessage(error) }];
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}
