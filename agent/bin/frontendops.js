#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (root postinstall) and by `npm run build`.
import '../dist/cli/bin.js';
