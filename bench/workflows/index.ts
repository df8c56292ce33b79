/*
 * The bench workers' workflow bundle: every workflow Cascade ships, plus the
 * reference workflows the bench compares them with (never in the production
 * bundle, so no recorded history or replay test needs them).
 */
export * from '../../workflows';
export { accountEventsReferenceWorkflow } from './account-events-reference';
