import type { RouteName } from '../routes/route-names';
import { createAccountDemoScenario } from './account-demo';
import { createAuditEventsDemoScenario } from './audit-events-demo';
import type { DemoScenario } from './demo-scenario';
import { createEmailArchiveDemoScenario } from './email-archive-demo';
import { createEntityDeletedDemoScenario } from './entity-deleted-demo';
import { createTasksDemoScenario } from './tasks-demo';

/** The demo scenario of every route. */
export function createDemoScenarios(): Record<RouteName, DemoScenario> {
  return {
    'account-events': createAccountDemoScenario(),
    'entity-deleted': createEntityDeletedDemoScenario(),
    'email-archive': createEmailArchiveDemoScenario(),
    'audit-events': createAuditEventsDemoScenario(),
    tasks: createTasksDemoScenario(),
  };
}
