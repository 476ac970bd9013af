#!/usr/bin/env node
import '../dist/mcp/github/bin.js';
