import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_TRACING_INTERCEPTORS_MODULE } from '../telemetry/workflow-tracing';

/** The compiled workflows entry point (`dist/workflows/index.js`). */
export function resolveWorkflowsPath(): string {
  return require.resolve(path.join(__dirname, '..', '..', 'workflows'));
}

/** Where `npm run build` writes the prebuilt workflow bundle. */
export function defaultWorkflowBundlePath(): string {
  return path.join(__dirname, '..', '..', 'workflow-bundle.js');
}

/**
 * Builds the production workflow bundle once, so workers start without
 * running webpack. Run by `npm run build`. It carries the OpenTelemetry
 * workflow interceptors (see {@link WORKFLOW_TRACING_INTERCEPTORS_MODULE}).
 */
export async function writeWorkflowBundle(outPath = defaultWorkflowBundlePath()): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: resolveWorkflowsPath(),
    workflowInterceptorModules: [WORKFLOW_TRACING_INTERCEPTORS_MODULE],
    logger: new DefaultLogger('WARN'),
  });
  await fs.promises.writeFile(outPath, code);
  return outPath;
}

if (require.main === module) {
  writeWorkflowBundle().then(
    (out) => process.stdout.write(`workflow bundle written to ${out}\n`),
    (error: unknown) => {
      process.stderr.write(`could not bundle workflows: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
