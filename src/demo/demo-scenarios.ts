import type { RouteName } from '../routes/route-names';
import { createAccountDemoScenario } from './account-demo';
import type { DemoScenario } from './demo-scenario';

/** The demo scenario of every route that has one. */
export function createDemoScenarios(): Partial<Record<RouteName, DemoScenario>> {
  return {
    'account-events': createAccountDemoScenario(),
  };
}
