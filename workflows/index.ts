export { accountEventsWorkflow } from './account-events';
