import { ApplicationFailure, continueAsNew, patched, proxyActivities, proxyLocalActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { EntityActivities, PublishArchiveEventsResult } from '../activities/entity-activities';
import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';
import {
  DEFAULT_PAGES_PER_RUN,
  type EntityDeletedInput,
  type EntityDeletedProgress,
  type EntityDeletedResult,
  MAX_HISTORY_EVENTS_PER_RUN,
  NO_PROGRESS,
} from '../src/shared/entity-deleted';
import { toActivityOptions } from './activity-options';
import { runStep } from './cascade-failure';

/**
 * Patch ID of the memo that shows a continued run's carried progress (see
 * docs/operations.md, "Shipping workflow changes"): runs that began before it replay without it.
 */
export const PROGRESS_MEMO_PATCH = 'entity-deleted-progress-memo';

/** Longest silence of the publishing activity before its attempt counts as lost (it heartbeats after every batch call). */
const PUBLISH_HEARTBEAT_TIMEOUT_MS = 10_000;

/** Events of each kind one publishing call sends at most, in pages: it returns and is called again while archiving goes on. */
const PUBLISH_PAGES_PER_CALL = 4;

/** Events the publish activity's time budget (`CASCADE_ACTIVITY_TIMEOUT_MS`) is sized for; bigger calls get proportionally longer. */
const PUBLISH_BUDGET_EVENTS = 1000;

/**
 * The entity-deleted cascade: archives the entity's documents page by page
 * and publishes the page's audit and document events from the outbox.
 *
 * - Each page is one activity and one transaction (documents archived and
 *   their outbox rows written together). Pages run as local activities: a
 *   page is a short database call, and a local activity costs no server
 *   round trip, so a large entity is archived at database speed.
 * - Publishing runs beside the archiving, one call at a time, each call
 *   sending what is unpublished so far (bounded, then called again); after
 *   the last page, calls go on until nothing is left. Archiving never waits
 *   for SNS and SQS.
 * - Every `pagesPerRun` pages the run waits for its publishing call and
 *   continues as new, carrying the totals, so no run's history grows large.
 * - A continued run first records the progress it carries in the memo
 *   (`progress`), so `cascade show` and the Web UI tell how far a big cascade
 *   got while it is still running.
 * - The result's counts are read from the database at the end, so they are
 *   exact whatever was retried or replayed.
 */
export async function entityDeletedWorkflow(input: EntityDeletedInput): Promise<EntityDeletedResult> {
  const { entityId, entityType, pageSize } = input.event;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  assertPositiveInteger('event.pageSize', pageSize);
  assertPositiveInteger('pagesPerRun', pagesPerRun);

  const options = toActivityOptions(input.activity);
  const { archiveDocumentsPage, summarizeArchive } = proxyLocalActivities<EntityActivities>(options);
  const maxEvents = pageSize * PUBLISH_PAGES_PER_CALL;
  const { publishArchiveEvents } = proxyActivities<EntityActivities>({
    ...options,
    startToCloseTimeout: input.activity.startToCloseTimeoutMs * Math.max(1, Math.ceil(maxEvents / PUBLISH_BUDGET_EVENTS)),
    heartbeatTimeout: PUBLISH_HEARTBEAT_TIMEOUT_MS,
  });
  const { workflowId } = workflowInfo();
  let progress: EntityDeletedProgress = input.progress ?? NO_PROGRESS;
  if (input.progress !== undefined && patched(PROGRESS_MEMO_PATCH)) upsertMemo({ progress: input.progress });

  const publishOnce = async (): Promise<PublishArchiveEventsResult> => {
    const published = await runStep('publishArchiveEvents', () => publishArchiveEvents({ entityId, entityType, batchSize: pageSize, maxEvents }));
    progress = {
      ...progress,
      auditEventsPublished: progress.auditEventsPublished + published.auditEventsPublished,
      documentEventsPublished: progress.documentEventsPublished + published.documentEventsPublished,
    };
    return published;
  };

  // At most one publishing call in flight; its failure is kept and rethrown by the archiving loop.
  let inFlight: Promise<void> | undefined;
  let publishFailure: Error | undefined;
  const publishInBackground = (): void => {
    inFlight ??= publishOnce().then(
      () => {
        inFlight = undefined;
      },
      (error: unknown) => {
        publishFailure = error instanceof Error ? error : new Error(String(error));
        inFlight = undefined;
      },
    );
  };
  const settlePublishing = async (): Promise<void> => {
    if (inFlight) await inFlight;
    if (publishFailure !== undefined) throw publishFailure;
  };

  for (let page = 1; ; page++) {
    const { documentsArchived } = await runStep('archiveDocumentsPage', () => archiveDocumentsPage({ workflowId, entityId, entityType, pageSize }));
    progress = { ...progress, documentsArchived: progress.documentsArchived + documentsArchived, pages: progress.pages + 1 };
    if (publishFailure !== undefined) throw publishFailure;
    if (documentsArchived < pageSize) break;
    publishInBackground();
    const info = workflowInfo();
    if (page >= pagesPerRun || info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS_PER_RUN) {
      await settlePublishing();
      return continueAsNew<typeof entityDeletedWorkflow>({ ...input, progress: { ...progress, runs: progress.runs + 1 } });
    }
  }
  // Every page is archived: publish until nothing is left (this also sends what an interrupted earlier attempt left).
  await settlePublishing();
  let last: PublishArchiveEventsResult;
  do last = await publishOnce();
  while (last.more);
  // The running totals miss pages whose local-activity result a crashed worker never recorded (their documents are
  // archived all the same); the result counts what the database holds.
  const summary = await runStep('summarizeArchive', () => summarizeArchive({ entityId, entityType }));
  return { entityId, entityType, ...progress, ...summary, runs: progress.runs + 1 };
}

function assertPositiveInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw ApplicationFailure.create({ type: NON_RETRYABLE_INPUT_ERROR, message: `${name} must be a positive integer, got ${String(value)}`, nonRetryable: true });
  }
}
