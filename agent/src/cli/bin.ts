import { useInterpretedParsers } from '../parsers.js';

// Before anything that builds schemas is loaded (main.js and what it loads).
useInterpretedParsers();
// Node 20 is this project's supported runtime; the AWS SDK's notice that its 2027 releases will need
// Node 22 would otherwise be printed on every command. (Noted in docs/agent.md under "Start-up and runtime".)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `frontendops history | head -3` closes the pipe early. The reader having gone is not a failure of the
// command, and it must not become one: a deploy whose output nobody reads any more still finishes its
// release (killing it here would leave the release for the journal to finish). So the rest of the output
// is dropped and the command runs on to its own exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const { runCli } = await import('./main.js');
process.exitCode = await runCli(process.argv.slice(2));
