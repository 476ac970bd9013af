import { useInterpretedParsers } from '../../parsers.js';

// Before the server's code (and the MCP SDK's schemas) is loaded.
useInterpretedParsers();
await import('./main.js');
