import assert from 'node:assert/strict';
import { type ScenarioProfile, summariseCpuProfile, toProfileMarkdown } from '../../bench/profiler';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe('bench --profile', () => {
  it('when a V8 CPU profile is summarised, then idle samples count against the busy share and busy samples go to packages and functions', () => {
    const summary = summariseCpuProfile('cascade-bridge', {
      startTime: 0,
      endTime: 10_000_000,
      nodes: [
        { id: 1, hitCount: 60, callFrame: frame('(idle)', '') },
        { id: 2, hitCount: 20, callFrame: frame('startWorkflow', 'file:///app/node_modules/@temporalio/client/lib/workflow-client.js', 41) },
        { id: 3, hitCount: 10, callFrame: frame('', 'file:///app/node_modules/@grpc/grpc-js/build/src/call.js', 9) },
        { id: 4, hitCount: 6, callFrame: frame('handleMessage', 'file:///app/dist/src/bridge/bridge.js', 99) },
        { id: 5, hitCount: 4, callFrame: frame('(garbage collector)', '') },
        { id: 6, hitCount: 0, callFrame: frame('(root)', '') },
      ],
    });
    assert.equal(summary.wallSeconds, 10);
    assert.equal(summary.busyShare, 0.4);
    assert.deepEqual(summary.packages, [
      { name: '@temporalio/client', share: 0.5 },
      { name: '@grpc/grpc-js', share: 0.25 },
      { name: 'cascade', share: 0.15 },
      { name: '(garbage collector)', share: 0.1 },
    ]);
    assert.deepEqual(summary.functions[0], { name: 'startWorkflow @temporalio/client:42', share: 0.5 });
    assert.deepEqual(summary.functions[2], { name: 'handleMessage bridge.js:100', share: 0.15 });
  });

  it('when a scenario profile is written, then it shows CPU by process against what the cores had, the Temporal and PostgreSQL tables, and what could not be read', () => {
    const profile: ScenarioProfile = {
      temporal: 'server',
      scenario: '3. bridge (repetition 1/1)',
      wallSeconds: 10,
      cores: 2,
      cpu: [
        { process: 'Temporal', cpuSeconds: 8 },
        { process: 'PostgreSQL', cpuSeconds: 6 },
      ],
      serviceLatency: [{ operation: 'StartWorkflowExecution', calls: 1000, totalSeconds: 400 }],
      persistenceLatency: [{ operation: 'CreateWorkflowExecution', calls: 1000, totalSeconds: 50 }],
      statements: [{ database: 'temporal', statement: 'INSERT INTO executions | x', calls: 2000, totalMs: 3000 }],
      cpuProfiles: [],
      missing: ['CPU profile x: truncated'],
    };
    const markdown = toProfileMarkdown(profile);
    assert.match(markdown, /^### 3\. bridge \(repetition 1\/1\) \[server\]: 10\.0 s$/m);
    assert.match(markdown, /20\.0 available on 2 cores; 14\.0 used, 70%\):\nTemporal 8\.0, PostgreSQL 6\.0/);
    assert.match(markdown, /\| StartWorkflowExecution \| 1,000 \| 400\.0 \| 400\.0 \|/);
    assert.match(markdown, /\| CreateWorkflowExecution \| 1,000 \| 50\.0 \| 50\.0 \|/);
    assert.match(markdown, /\| temporal \| `INSERT INTO executions \\\| x` \| 2,000 \| 1\.50 \| 3\.0 \|/);
    assert.match(markdown, /Not read: CPU profile x: truncated\./);
  });
});
