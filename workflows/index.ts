export { accountEventsWorkflow } from './account-events';
export { entityDeletedWorkflow } from './entity-deleted';
export { incentiveEventsWorkflow } from './tasks';
export { outboxFlushWorkflow } from './outbox-flush';
