import { ApplicationFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { EntityActivities } from '../activities/entity-activities';
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

/** Longest silence of the publishing activity before its attempt counts as lost (it heartbeats after every batch call). */
const PUBLISH_HEARTBEAT_TIMEOUT_MS = 10_000;

/** Page sizes the publish activity's time budget is sized for; larger pages get proportionally longer. */
const PUBLISH_BUDGET_PAGE_SIZE = 500;

/**
 * The entity-deleted cascade: archives the entity's documents page by page
 * (one activity and one transaction per page, with the page's audit and
 * document events in the outbox), publishes each page's events, and continues
 * as new every `pagesPerRun` pages so no run's history grows large. Totals
 * are carried from run to run; the result covers the whole cascade.
 */
export async function entityDeletedWorkflow(input: EntityDeletedInput): Promise<EntityDeletedResult> {
  const { entityId, entityType, pageSize } = input.event;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  assertPositiveInteger('event.pageSize', pageSize);
  assertPositiveInteger('pagesPerRun', pagesPerRun);

  const options = toActivityOptions(input.activity);
  const { archiveDocumentsPage } = proxyActivities<EntityActivities>(options);
  const { publishArchiveEvents } = proxyActivities<EntityActivities>({
    ...options,
    startToCloseTimeout: input.activity.startToCloseTimeoutMs * Math.max(1, Math.ceil(pageSize / PUBLISH_BUDGET_PAGE_SIZE)),
    heartbeatTimeout: PUBLISH_HEARTBEAT_TIMEOUT_MS,
  });
  const { workflowId } = workflowInfo();
  let progress: EntityDeletedProgress = input.progress ?? NO_PROGRESS;

  for (let page = 1; ; page++) {
    const { documentsArchived } = await runStep('archiveDocumentsPage', () => archiveDocumentsPage({ workflowId, entityId, entityType, pageSize }));
    // Always publish, even after an empty page: it also sends what an interrupted attempt left unpublished.
    const published = await runStep('publishArchiveEvents', () => publishArchiveEvents({ entityId, entityType, batchSize: pageSize }));
    progress = {
      documentsArchived: progress.documentsArchived + documentsArchived,
      auditEventsPublished: progress.auditEventsPublished + published.auditEventsPublished,
      documentEventsPublished: progress.documentEventsPublished + published.documentEventsPublished,
      pages: progress.pages + 1,
      runs: progress.runs,
    };
    if (documentsArchived < pageSize) return { entityId, entityType, ...progress, runs: progress.runs + 1 };
    const info = workflowInfo();
    if (page >= pagesPerRun || info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS_PER_RUN) {
      return continueAsNew<typeof entityDeletedWorkflow>({ ...input, progress: { ...progress, runs: progress.runs + 1 } });
    }
  }
}

function assertPositiveInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw ApplicationFailure.create({ type: NON_RETRYABLE_INPUT_ERROR, message: `${name} must be a positive integer, got ${String(value)}`, nonRetryable: true });
  }
}
