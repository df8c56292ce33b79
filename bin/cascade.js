#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('cascade is not built yet: run `npm run build` (or `npm start`, which builds first).\n');
  process.exit(1);
}
require(entry).runCli(process.argv);
