#!/usr/bin/env node
// A clone runs what `tsc` compiled to dist/; the packed package has no dist/ and runs its bundle instead.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/mcp/pulumi/bin.js', import.meta.url);
await import(
  existsSync(dist) ? dist.href : new URL('../bundle/frontendops-pulumi-mcp.js', import.meta.url).href
);
