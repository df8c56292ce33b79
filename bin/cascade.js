#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

// The AWS SDK warns on every run that its 2027 releases need Node 22; the
// lockfile pins today's release, so the notice only adds noise to CLI output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('cascade is not built yet: run `npm run build` (or `npm start`, which builds first).\n');
  process.exit(1);
}
// OpenTelemetry tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must hook pg and the AWS SDK before they load.
require(path.join(__dirname, '..', 'dist', 'src', 'telemetry', 'preload.js')).startTracingForCommand(process.argv, process.env);
require(entry).runCli(process.argv);
