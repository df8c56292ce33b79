export { accountEventsWorkflow } from './account-events';
export { auditEventsWorkflow, txmaPurgeWorkflow } from './audit-events';
export { emailArchiveWorkflow } from './email-archive';
export { entityDeletedWorkflow } from './entity-deleted';
export { outboxFlushWorkflow } from './outbox-flush';
export { incentiveEventsWorkflow } from './tasks';
