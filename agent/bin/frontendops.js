#!/usr/bin/env node
// A clone runs what `tsc` compiled to dist/ (`npm ci` builds it); the packed package has no dist/ and runs
// its per-bin bundle instead, which starts faster (scripts/bundle.mjs says why).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/bin.js', import.meta.url);
await import(existsSync(dist) ? dist.href : new URL('../bundle/frontendops.js', import.meta.url).href);
