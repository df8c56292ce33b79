import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PrismaClient } from '../db/client';
import type { OutboxFlushResult } from '../shared/tasks';
import { type SendBodiesOptions, sendBodies } from './batch-sender';

/** The outbox table, as the producer and the flush use it. */
export type OutboxStore = Pick<PrismaClient, 'outboxMessage'>;

/** Stores bodies that could not be sent, in order, with the reason. */
export async function writeToOutbox(db: OutboxStore, queueUrl: string, bodies: readonly string[], lastError: string): Promise<void> {
  if (bodies.length === 0) return;
  const now = new Date();
  // One INSERT: the rows get increasing IDs in this order, which is the order the flush re-sends them in.
  await db.outboxMessage.createMany({ data: bodies.map((body) => ({ queueUrl, body, attempts: 1, lastError, lastTriedAt: now })) });
}

/** Options of {@link flushOutbox}. */
export interface FlushOutboxOptions extends Pick<SendBodiesOptions, 'signal' | 'onBatch' | 'maxBatchBytes' | 'entryAttempts' | 'entryRetryDelayMs'> {
  /** Most messages re-sent by one call (the rest wait for the next). @default 1000 */
  readonly maxMessages?: number;
  /** Outbox rows read per round. @default 100 */
  readonly pageSize?: number;
  /** Called with the number of messages re-sent and removed after each group (progress). */
  readonly onSent?: (count: number) => void;
}

/** Messages waiting in the outbox of one queue. */
export interface OutboxQueueSummary {
  readonly queueUrl: string;
  readonly messages: number;
  /** When the oldest of them was stored. */
  readonly oldest: Date;
  /** Most attempts any of them had. */
  readonly maxAttempts: number;
}

/** What the outbox holds, per queue (what a flush would re-send), oldest queue first. */
export async function summarizeOutbox(db: OutboxStore): Promise<OutboxQueueSummary[]> {
  const groups = await db.outboxMessage.groupBy({ by: ['queueUrl'], _count: { _all: true }, _min: { createdAt: true }, _max: { attempts: true } });
  return groups
    .map((g) => ({ queueUrl: g.queueUrl, messages: g._count._all, oldest: g._min.createdAt ?? new Date(0), maxAttempts: g._max.attempts ?? 0 }))
    .sort((a, b) => a.oldest.getTime() - b.oldest.getTime());
}

/**
 * Re-sends outbox messages in order (by ID), removing each once SQS accepted
 * it. A queue whose message fails stops there (its later messages wait, so
 * the order holds); the failure is recorded on the row (`attempts`,
 * `last_error`) and reported. Other queues go on. A message may be sent
 * twice if the process dies between sending and removing it: the tasks
 * route's event key (a digest of the task) turns the second into a duplicate.
 */
export async function flushOutbox(deps: { readonly db: OutboxStore; readonly sqs: Pick<SQSClient, 'send'> }, options: FlushOutboxOptions = {}): Promise<OutboxFlushResult> {
  const maxMessages = options.maxMessages ?? 1000;
  const pageSize = options.pageSize ?? 100;
  const stopped = new Map<string, string>();
  let cursor = 0n;
  let sent = 0;
  let tried = 0;

  while (tried < maxMessages) {
    const rows = await deps.db.outboxMessage.findMany({
      where: { id: { gt: cursor }, queueUrl: { notIn: [...stopped.keys()] } },
      orderBy: { id: 'asc' },
      take: Math.min(pageSize, maxMessages - tried),
      select: { id: true, queueUrl: true, body: true },
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]?.id ?? cursor;
    tried += rows.length;

    for (const queueUrl of new Set(rows.map((r) => r.queueUrl))) {
      if (stopped.has(queueUrl)) continue;
      const group = rows.filter((r) => r.queueUrl === queueUrl);
      const result = await sendBodies(deps.sqs, queueUrl, group.map((r) => r.body), options);
      const sentIds = result.sent.map((i) => group[i]?.id).filter((id): id is bigint => id !== undefined);
      if (sentIds.length > 0) await deps.db.outboxMessage.deleteMany({ where: { id: { in: sentIds } } });
      sent += sentIds.length;
      options.onSent?.(sentIds.length);
      const now = new Date();
      for (const unsent of result.unsent) {
        const row = group[unsent.index];
        if (row === undefined) continue;
        await deps.db.outboxMessage.update({ where: { id: row.id }, data: { attempts: { increment: 1 }, lastError: unsent.reason, lastTriedAt: now } });
      }
      const firstFailure = result.unsent[0];
      if (firstFailure !== undefined) stopped.set(queueUrl, firstFailure.reason);
    }
  }
  const remaining = await deps.db.outboxMessage.count();
  return { sent, remaining, failures: [...stopped].map(([queueUrl, error]) => ({ queueUrl, error })) };
}
