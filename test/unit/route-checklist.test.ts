import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createRoutes } from '../../src/routes/registry';
import { ROUTE_NAMES } from '../../src/routes/route-names';
import { TASK_ACTION_HANDLERS } from '../../src/routes/task-actions';
import * as workflows from '../../workflows';

/*
 * What the compiler cannot check of "How to add a route" (docs/routes.md):
 * the JSON, Markdown and recorded histories that go with every route name.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const HISTORIES_DIR = path.join(ROOT, 'test', 'replay', 'histories');
const routesPage = fs.readFileSync(path.join(ROOT, 'docs', 'routes.md'), 'utf8');
const queueConfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'config', 'queues.json'), 'utf8')) as { routes?: Record<string, { queue?: unknown }> };
const exportedWorkflows = new Set(Object.keys(workflows));

/** The text of the `## How to add a route` section of docs/routes.md. */
function checklistSection(): string {
  const start = routesPage.indexOf('\n## How to add a route\n');
  assert.ok(start >= 0, 'docs/routes.md has a "## How to add a route" section');
  const next = routesPage.indexOf('\n## ', start + 1);
  return routesPage.slice(start, next < 0 ? undefined : next);
}

describe('adding a route: the checklist of docs/routes.md', () => {
  it('when a route name exists, then config/queues.json gives it a queue, and names no route that does not exist', () => {
    const configured = queueConfig.routes ?? {};
    for (const route of ROUTE_NAMES) {
      const queue = configured[route]?.queue;
      assert.ok(typeof queue === 'string' && queue.length > 0, `config/queues.json: routes["${route}"].queue`);
    }
    assert.deepEqual(Object.keys(configured).sort(), [...ROUTE_NAMES].sort(), 'config/queues.json routes are exactly ROUTE_NAMES');
  });

  it('when a route name exists, then docs/routes.md has a "## The <route> route" section', () => {
    const missing = ROUTE_NAMES.filter((route) => !new RegExp(`^## The ${route} route\\b`, 'm').test(routesPage));
    assert.deepEqual(missing, []);
  });

  it('when a route is registered, then its definition carries its own name and every workflow it starts is exported by workflows/index.ts', () => {
    const routes = createRoutes(loadConfig({}, ['client']));
    assert.deepEqual(Object.keys(routes).sort(), [...ROUTE_NAMES].sort());
    for (const route of ROUTE_NAMES) {
      assert.equal(routes[route].name, route);
      assert.ok(exportedWorkflows.has(routes[route].workflowType), `${route}: ${routes[route].workflowType} is exported by workflows/index.ts`);
    }
    for (const [action, handler] of Object.entries(TASK_ACTION_HANDLERS)) {
      assert.ok(exportedWorkflows.has(handler.workflowType), `tasks action ${action}: ${handler.workflowType} is exported by workflows/index.ts`);
    }
  });

  it('when a workflow is exported, then test/replay/histories holds at least one recorded history of it, and no directory names a workflow that is gone', () => {
    const directories = fs.readdirSync(HISTORIES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const withHistory = new Set(directories.filter((d) => fs.readdirSync(path.join(HISTORIES_DIR, d.name)).some((file) => file.endsWith('.json'))).map((d) => d.name));
    assert.deepEqual([...exportedWorkflows].filter((type) => !withHistory.has(type)), [], 'workflows without a recorded history');
    assert.deepEqual(directories.map((d) => d.name).filter((type) => !exportedWorkflows.has(type)), [], 'history directories of no exported workflow');
  });

  it('when the checklist names a file, then that file exists (the checklist follows the code when it moves)', () => {
    const named = [...checklistSection().matchAll(/`((?:src|workflows|activities|config|deploy|faults|test|docs)\/[^`<>]+|docker-compose\.yml)`/g)].map((m) => m[1] ?? '');
    assert.ok(named.length >= 10, `the checklist names the files to touch (found ${named.length})`);
    const missing = named.filter((file) => !fs.existsSync(path.join(ROOT, file)));
    assert.deepEqual(missing, []);
  });
});
