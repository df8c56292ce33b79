import { EventEmitter } from 'node:events';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { CascadeMetrics, MessageOutcome } from '../metrics/metrics';
import type { RouteDefinition } from '../routes/route';
import { inMessageSpan, recordMessageOutcome } from '../telemetry/message-trace';
import { untraced } from '../telemetry/untraced';
import { BatchDeleter } from './batch-deleter';
import { toFailureBackoffSeconds } from './backoff';
import { isTemporalUnavailableError, isWorkflowStartError } from './errors';
import { InFlightLimiter } from './in-flight-limiter';
import { IntakePause } from './intake-pause';
import { type MessageDecision, decideMessage } from './message-handler';
import { quarantineMessage } from './quarantine';
import type { StartCascade } from './workflow-starter';
import { toErrorMessage } from '../errors/error-message';
import { SqsOperationError } from '../errors/sqs-operation-error';
import { sleep } from '../sleep';

/** One queue the bridge polls, and the route its messages belong to. */
export interface BridgeQueue {
  readonly route: RouteDefinition;
  readonly queueUrl: string;
}

/**
 * Bridge settings. Defaults are those of the configuration (docs/configuration.md).
 */
export interface BridgeOptions {
  readonly sqs: SQSClient;
  readonly startCascade: StartCascade;
  readonly queues: readonly BridgeQueue[];
  readonly quarantineQueueUrl: string;
  readonly logger: Logger;
  readonly metrics: CascadeMetrics;
  /** @default 1 */
  readonly pollersPerQueue?: number;
  /** @default 20 */
  readonly waitTimeSeconds?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 100 */
  readonly maxInFlight?: number;
  /** @default 5 */
  readonly failureBackoffSeconds?: number;
  /** @default 300 */
  readonly failureBackoffMaxSeconds?: number;
  /** Longest pause between failed receives. @default 30000 */
  readonly receiveErrorBackoffMaxMs?: number;
  /** When the bridge is full, how long a poller waits for a whole batch of free slots before receiving fewer. @default 20 */
  readonly receiveLingerMs?: number;
  /** Per-attempt timeout of the bridge's SQS calls other than receive (delete, visibility change, quarantine send). @default 5000 */
  readonly sqsRequestTimeoutMs?: number;
  /** While Temporal is unavailable: wait before the first probe; doubles per unanswered probe. @default 500 */
  readonly probeInitialDelayMs?: number;
  /** While Temporal is unavailable: longest wait between two probes. @default 10000 */
  readonly probeMaxDelayMs?: number;
}

/** A receive may take its long-poll wait plus this long before it counts as hung. */
const RECEIVE_TIMEOUT_MARGIN_MS = 10_000;

/** What happened to one message; emitted as `outcome` and logged. */
export interface OutcomeRecord {
  readonly route: string;
  readonly queueUrl: string;
  readonly messageId: string;
  readonly outcome: MessageOutcome;
  readonly receiveCount: number;
  readonly workflowId?: string;
  readonly reason?: string;
}

/** Events of a {@link Bridge}. */
export interface BridgeEvents {
  outcome: [OutcomeRecord];
}

/** The bridge's view of its dependencies, for `/readyz`. */
export interface BridgeHealth {
  readonly sqs: boolean;
  readonly temporal: boolean;
}

interface InFlightMessage {
  readonly queueUrl: string;
  readonly message: Message;
  readonly done: Promise<void>;
}

/**
 * Polls SQS and starts one workflow per event. Every message ends as started,
 * duplicate, ignored or rejected (then deleted), or failed (left on the
 * queue with a visibility back-off, so SQS redelivers it and eventually
 * moves it to the dead-letter queue).
 *
 * When a start fails because Temporal did not answer, the bridge pauses
 * intake on every queue ({@link IntakePause}): it stops receiving, puts what
 * it holds back on the queue, probes Temporal, and resumes when it answers,
 * so an outage does not run waiting messages into the dead-letter queue.
 */
export class Bridge extends EventEmitter<BridgeEvents> {
  private readonly limiter: InFlightLimiter;
  private readonly deleters = new Map<string, BatchDeleter>();
  private readonly inFlight = new Set<InFlightMessage>();
  private readonly pollAbort = new AbortController();
  private readonly intake: IntakePause;
  private pollers: Promise<void>[] = [];
  private sqsHealthy = true;
  private temporalHealthy = true;
  private readonly settings: Required<Omit<BridgeOptions, 'sqs' | 'startCascade' | 'queues' | 'quarantineQueueUrl' | 'logger' | 'metrics'>>;

  constructor(private readonly options: BridgeOptions) {
    super();
    this.settings = {
      pollersPerQueue: options.pollersPerQueue ?? 1,
      waitTimeSeconds: options.waitTimeSeconds ?? 20,
      batchSize: options.batchSize ?? 10,
      maxInFlight: options.maxInFlight ?? 100,
      failureBackoffSeconds: options.failureBackoffSeconds ?? 5,
      failureBackoffMaxSeconds: options.failureBackoffMaxSeconds ?? 300,
      receiveErrorBackoffMaxMs: options.receiveErrorBackoffMaxMs ?? 30_000,
      receiveLingerMs: options.receiveLingerMs ?? 20,
      sqsRequestTimeoutMs: options.sqsRequestTimeoutMs ?? 5_000,
      probeInitialDelayMs: options.probeInitialDelayMs ?? 500,
      probeMaxDelayMs: options.probeMaxDelayMs ?? 10_000,
    };
    if (options.queues.length === 0) throw new TypeError('Bridge needs at least one queue');
    this.limiter = new InFlightLimiter(this.settings.maxInFlight);
    this.intake = new IntakePause({
      probe: () => options.startCascade.probe(),
      logger: options.logger,
      metrics: options.metrics,
      probeInitialDelayMs: this.settings.probeInitialDelayMs,
      probeMaxDelayMs: this.settings.probeMaxDelayMs,
    });
    this.intake.on('resumed', () => {
      this.temporalHealthy = true;
    });
    for (const queue of options.queues) {
      this.deleters.set(
        queue.queueUrl,
        new BatchDeleter({
          sqs: options.sqs,
          queueUrl: queue.queueUrl,
          logger: options.logger,
          requestTimeoutMs: this.settings.sqsRequestTimeoutMs,
          onFailure: (ids) => options.metrics.deleteFailures.inc({ route: queue.route.name }, ids.length),
        }),
      );
    }
  }

  /** Starts polling every queue. */
  start(): void {
    if (this.pollers.length > 0) throw new Error('Bridge already started');
    for (const queue of this.options.queues) {
      for (let i = 0; i < this.settings.pollersPerQueue; i++) this.pollers.push(this.poll(queue));
    }
    this.options.logger.info(
      { queues: this.options.queues.map((q) => ({ route: q.route.name, queueUrl: q.queueUrl })), ...this.settings },
      'bridge polling',
    );
  }

  /** Whether the last SQS receive and the last workflow start succeeded (Temporal counts as down while intake is paused). */
  health(): BridgeHealth {
    return { sqs: this.sqsHealthy, temporal: this.temporalHealthy && !this.intake.paused };
  }

  /** Whether intake is paused because Temporal is unavailable. */
  get intakePaused(): boolean {
    return this.intake.paused;
  }


  /** Messages held now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops polling at once (aborting long polls), lets in-flight messages
   * finish their start and delete for up to `graceMs`, then releases the rest
   * (visibility 0) so another bridge picks them up immediately.
   */
  async stop(graceMs: number): Promise<{ finished: number; released: number }> {
    this.pollAbort.abort();
    await this.intake.close();
    await Promise.allSettled(this.pollers);
    const pending = [...this.inFlight];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    await Promise.race([Promise.allSettled(pending.map((m) => m.done)), deadline]);
    if (timer) clearTimeout(timer);
    for (const deleter of this.deleters.values()) deleter.flush();
    const leftover = [...this.inFlight];
    if (leftover.length > 0) await this.release(leftover);
    const finished = pending.length - leftover.length;
    this.options.logger.info({ finished, released: leftover.length }, 'bridge stopped');
    return { finished, released: leftover.length };
  }

  private async poll(queue: BridgeQueue): Promise<void> {
    const signal = this.pollAbort.signal;
    let errorBackoffMs = 250;
    while (!signal.aborted) {
      await this.intake.whenOpen(signal);
      if (signal.aborted) break;
      const slots = await this.limiter.reserve(this.settings.batchSize, signal, this.settings.receiveLingerMs);
      if (slots === 0) break;
      if (this.intake.paused) {
        this.limiter.release(slots);
        continue;
      }
      let messages: Message[];
      try {
        // Not traced: every long poll, empty ones included, would be a trace; each message gets its own span (inMessageSpan).
        const response = await untraced(() =>
          this.options.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queue.queueUrl,
              MaxNumberOfMessages: slots,
              WaitTimeSeconds: this.settings.waitTimeSeconds,
              // AWSTraceHeader: the producer's X-Ray trace, continued when the message has no traceparent attribute.
              MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'AWSTraceHeader'],
              MessageAttributeNames: ['All'],
            }),
            { abortSignal: signal, requestTimeout: this.settings.waitTimeSeconds * 1000 + RECEIVE_TIMEOUT_MARGIN_MS },
          ),
        );
        messages = response.Messages ?? [];
        this.options.metrics.receiveBatchSize.observe({ route: queue.route.name }, messages.length);
        this.sqsHealthy = true;
        errorBackoffMs = 250;
      } catch (error) {
        this.limiter.release(slots);
        if (signal.aborted) break;
        this.sqsHealthy = false;
        this.options.metrics.sqsErrors.inc({ operation: 'ReceiveMessage' });
        this.options.logger.warn(
          { err: new SqsOperationError('ReceiveMessage', queue.queueUrl, [], error), retryInMs: errorBackoffMs },
          'receive failed; backing off',
        );
        await sleep(errorBackoffMs, signal);
        errorBackoffMs = Math.min(errorBackoffMs * 2, this.settings.receiveErrorBackoffMaxMs);
        continue;
      }
      this.limiter.release(slots - messages.length);
      if (this.intake.paused && messages.length > 0) {
        // A long poll that began before the pause came back with messages: put them back untried.
        this.limiter.release(messages.length);
        this.options.logger.info(
          { route: queue.route.name, messageIds: messages.map((m) => m.MessageId ?? '?'), visibleInSeconds: this.pausedReleaseSeconds },
          'messages received while intake is paused; put back on the queue untried',
        );
        await this.release(messages.map((message) => ({ queueUrl: queue.queueUrl, message })), this.pausedReleaseSeconds);
        continue;
      }
      const receivedAt = new Date();
      for (const message of messages) this.track(queue, message, receivedAt);
    }
  }

  private track(queue: BridgeQueue, message: Message, receivedAt: Date): void {
    this.options.metrics.inFlight.inc();
    const entry: InFlightMessage = {
      queueUrl: queue.queueUrl,
      message,
      done: inMessageSpan({ route: queue.route.name, queueUrl: queue.queueUrl }, message, () => this.process(queue, message, receivedAt)).finally(() => {
        this.inFlight.delete(entry);
        this.limiter.release();
        this.options.metrics.inFlight.dec();
      }),
    };
    this.inFlight.add(entry);
  }

  private async process(queue: BridgeQueue, message: Message, receivedAt: Date): Promise<void> {
    const route = queue.route.name;
    const messageId = message.MessageId ?? 'unknown';
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    const base = { route, queueUrl: queue.queueUrl, messageId, receiveCount };
    let decision: MessageDecision;
    const startedAt = process.hrtime.bigint();
    const startedAtMs = Date.now();
    try {
      decision = await decideMessage(message, queue.route, queue.queueUrl, this.options.startCascade, receivedAt);
      if (decision.outcome === 'started' || decision.outcome === 'duplicate') {
        this.temporalHealthy = true;
        this.options.metrics.workflowStartSeconds.observe({ route }, Number(process.hrtime.bigint() - startedAt) / 1e9);
      }
    } catch (error) {
      if (isWorkflowStartError(error)) {
        this.temporalHealthy = false;
        this.options.metrics.temporalErrors.inc({ operation: 'StartWorkflowExecution' });
      }
      const reason = toErrorMessage(error);
      if (isTemporalUnavailableError(error)) {
        this.intake.pause(error, startedAtMs);
        await this.fail(queue, message, `${reason}; Temporal unavailable, intake paused`, base, this.pausedReleaseSeconds);
        return;
      }
      await this.fail(queue, message, reason, base);
      return;
    }

    if (decision.outcome === 'rejected') {
      try {
        await quarantineMessage(
          this.options.sqs,
          this.options.quarantineQueueUrl,
          { message, sourceQueueUrl: queue.queueUrl, route, reason: decision.reason },
          AbortSignal.timeout(this.settings.sqsRequestTimeoutMs * 3),
        );
      } catch (error) {
        this.options.metrics.sqsErrors.inc({ operation: 'SendMessage' });
        await this.fail(queue, message, `could not quarantine (${decision.reason}): ${toErrorMessage(error)}`, base);
        return;
      }
    }
    await this.acknowledge(queue.queueUrl, message);
    this.record('workflowId' in decision ? { ...base, outcome: decision.outcome, workflowId: decision.workflowId } : { ...base, outcome: decision.outcome, reason: decision.reason }, message);
  }

  private async acknowledge(queueUrl: string, message: Message): Promise<void> {
    const deleter = this.deleters.get(queueUrl);
    if (deleter && message.ReceiptHandle) await deleter.delete(message.MessageId ?? 'unknown', message.ReceiptHandle);
  }

  /**
   * Visibility of a message put back while intake is paused: it outlasts
   * every long poll that began before the pause, so none of them takes the
   * message again (which would count a receive).
   */
  private get pausedReleaseSeconds(): number {
    return this.settings.waitTimeSeconds + 1;
  }

  private async fail(
    queue: BridgeQueue,
    message: Message,
    reason: string,
    base: Omit<OutcomeRecord, 'outcome'>,
    visibilityTimeout = toFailureBackoffSeconds(base.receiveCount, this.settings.failureBackoffSeconds, this.settings.failureBackoffMaxSeconds),
  ): Promise<void> {
    try {
      if (message.ReceiptHandle) {
        await this.options.sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: visibilityTimeout }),
          { requestTimeout: this.settings.sqsRequestTimeoutMs },
        );
      }
    } catch (error) {
      this.options.metrics.sqsErrors.inc({ operation: 'ChangeMessageVisibility' });
      this.options.logger.warn({ err: error, messageId: base.messageId }, 'could not back off visibility; the queue default applies');
    }
    this.record({ ...base, outcome: 'failed', reason: `${reason} (retry in ${visibilityTimeout}s)` }, message);
  }

  private record(record: OutcomeRecord, message: Message): void {
    this.options.metrics.messages.inc({ route: record.route, outcome: record.outcome });
    recordMessageOutcome(record.outcome, record.workflowId);
    const level = record.outcome === 'started' || record.outcome === 'duplicate' ? 'info' : record.outcome === 'failed' ? 'error' : 'warn';
    this.options.logger[level](record, `message ${record.outcome}`);
    this.options.logger.debug({ messageId: record.messageId, body: message.Body }, 'message body');
    this.emit('outcome', record);
  }

  /** Makes messages visible again after `visibilityTimeout` seconds (0: at once). */
  private async release(messages: ReadonlyArray<Pick<InFlightMessage, 'queueUrl' | 'message'>>, visibilityTimeout = 0): Promise<void> {
    const byQueue = new Map<string, Message[]>();
    for (const { queueUrl, message } of messages) byQueue.set(queueUrl, [...(byQueue.get(queueUrl) ?? []), message]);
    for (const [queueUrl, queued] of byQueue) {
      for (let i = 0; i < queued.length; i += 10) {
        const batch = queued.slice(i, i + 10).filter((m) => m.ReceiptHandle);
        try {
          await this.options.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: visibilityTimeout })),
            }),
            { requestTimeout: this.settings.sqsRequestTimeoutMs },
          );
        } catch (error) {
          this.options.logger.warn({ err: new SqsOperationError('ChangeMessageVisibilityBatch', queueUrl, batch.map((m) => m.MessageId ?? '?'), error) }, 'could not release messages; they return after their visibility timeout');
        }
      }
    }
  }
}
