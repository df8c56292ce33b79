import { proxyActivities } from '@temporalio/workflow';

/** Activities of the Temporal server probe. */
export interface ProbeActivities {
  greet(name: string): Promise<string>;
}

const { greet } = proxyActivities<ProbeActivities>({ startToCloseTimeout: '30 seconds' });

/** Runs one activity and returns its greeting. */
export async function serverProbeWorkflow(name: string): Promise<string> {
  return greet(name);
}
