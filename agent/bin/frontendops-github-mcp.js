#!/usr/bin/env node
// A clone runs what `tsc` compiled to dist/; the packed package has no dist/ and runs its bundle instead.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/mcp/github/bin.js', import.meta.url);
await import(
  existsSync(dist) ? dist.href : new URL('../bundle/frontendops-github-mcp.js', import.meta.url).href
);
