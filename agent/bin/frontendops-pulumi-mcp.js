#!/usr/bin/env node
import '../dist/mcp/pulumi/bin.js';
