import { useInterpretedParsers } from '../parsers.js';

// Before anything that builds schemas is loaded (main.js and what it loads).
useInterpretedParsers();
// Node 20 is this project's supported runtime; the AWS SDK's notice that its 2027 releases will need
// Node 22 would otherwise be printed on every command. (Noted in docs/agent.md under "Start-up and runtime".)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runCli } = await import('./main.js');
process.exitCode = await runCli(process.argv.slice(2));
