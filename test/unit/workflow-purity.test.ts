import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('workflow purity (ESLint)', function () {
  this.timeout(60_000);

  async function lintWorkflow(code: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'workflows', 'account-events.ts') });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('when workflow code imports Node built-ins, I/O clients or activity values, then lint fails on each', async () => {
    const messages = await lintWorkflow(
      [
        "import fs from 'node:fs';",
        "import { SQSClient } from '@aws-sdk/client-sqs';",
        "import { PrismaPg } from '@prisma/adapter-pg';",
        "import { createAccountActivities } from '../activities/account-activities';",
        "import { loadConfig } from '../src/config';",
        'export const used = [fs, SQSClient, PrismaPg, createAccountActivities, loadConfig];',
      ].join('\n'),
    );
    assert.equal(messages.length, 5, messages.join('\n'));
    assert.match(messages[0] ?? '', /no Node built-ins/);
    assert.match(messages[3] ?? '', /only `import type` from activities/);
  });

  it('when workflow code imports the workflow SDK, shared types and activity types, then lint passes', async () => {
    const messages = await lintWorkflow(
      [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import type { AccountActivities } from '../activities/account-activities';",
        "import { NON_RETRYABLE_INPUT_ERROR } from '../src/shared/cascade-input';",
        'export const used = [proxyActivities<AccountActivities>, NON_RETRYABLE_INPUT_ERROR];',
      ].join('\n'),
    );
    assert.deepEqual(messages, []);
  });
});
