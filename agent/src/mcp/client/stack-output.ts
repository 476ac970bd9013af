import { z } from 'zod';
import { FrontendOpsError } from '../../errors.js';
import { jsonObjectIn, type ToolOutput } from './results.js';

/**
 * Reads the answer of `pulumi-cli-stack-output` from either server that offers the tool:
 * - FrontendOps' own pulumi server: `structuredContent` `{ stackName, outputs }` (or
 *   `{ stackName, outputName, value }`) plus a JSON text block;
 * - the official `@pulumi/mcp-server`: text only, never `isError` —
 *   `\nStack: <name>\n\n<key>: <JSON value>` per output, the entries separated by a literal
 *   backslash-n (`'\\n'` in its source) rather than a newline; `Output '<x>' not found.`,
 *   `No outputs found`, and `Operation failed: <message>` on any error.
 */

const StructuredAllSchema = z.object({
  stackName: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()),
});
const StructuredOneSchema = z.object({
  stackName: z.string().optional(),
  outputName: z.string(),
  value: z.unknown(),
});

const OFFICIAL_FAILURE = /^\s*Operation failed:\s*(.*)$/s;
const OFFICIAL_NOT_FOUND = /Output '([^']*)' not found\./;
const OFFICIAL_HEADER = /^\s*Stack:\s*(\S+)\s*\n/;
const ENTRY_KEY = /^([A-Za-z_$][\w$.-]*): /;

/** Splits the official server's `key: <json>` list; separators are `\n` (literal or real). */
export function parseOfficialOutputList(body: string): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  let rest = body.trim();
  while (rest !== '') {
    const key = ENTRY_KEY.exec(rest);
    if (!key?.[1]) throw new Error(`expected "name: value" at "${rest.slice(0, 40)}"`);
    rest = rest.slice(key[0].length);
    // The value is JSON, so the first prefix that parses and is followed by a separator (or the
    // end) is the whole value: a JSON text has no shorter valid prefix that ends where a separator begins.
    let consumed = -1;
    for (let end = 1; end <= rest.length; end += 1) {
      const after = rest.slice(end);
      if (after !== '' && !after.startsWith('\\n') && !after.startsWith('\n')) continue;
      try {
        outputs[key[1]] = JSON.parse(rest.slice(0, end));
        consumed = end;
        break;
      } catch {
        // not a complete JSON value yet
      }
    }
    if (consumed < 0) throw new Error(`the value of ${key[1]} is not JSON`);
    rest = rest.slice(consumed).replace(/^(\\n|\n)+/, '');
  }
  return outputs;
}

function invalid(server: string, stackName: string, detail: string): FrontendOpsError {
  return new FrontendOpsError(
    'STACK_OUTPUT_INVALID',
    `${server} pulumi-cli-stack-output for ${stackName}: ${detail}`,
    { hint: 'Check the pulumi MCP server and that the stack has been deployed (`pulumi up`).' },
  );
}

/** The stack outputs (all of them, or the one asked for as `{ [outputName]: value }`). */
export function parseStackOutputResult(
  output: ToolOutput,
  request: { server: string; stackName: string; outputName?: string },
): Record<string, unknown> {
  const { server, stackName, outputName } = request;
  if (output.structured !== undefined) {
    const all = StructuredAllSchema.safeParse(output.structured);
    if (all.success) return all.data.outputs;
    const one = StructuredOneSchema.safeParse(output.structured);
    if (one.success) return { [one.data.outputName]: one.data.value };
    throw invalid(server, stackName, 'structuredContent has neither outputs nor outputName/value');
  }
  const text = output.text;
  const failure = OFFICIAL_FAILURE.exec(text);
  if (failure) {
    throw new FrontendOpsError(
      'PULUMI_BACKEND_ERROR',
      `${server} pulumi-cli-stack-output failed: ${failure[1]?.trim()}`,
      {
        hint: 'The official Pulumi MCP server needs the Pulumi CLI and a logged-in backend.',
      },
    );
  }
  const notFound = OFFICIAL_NOT_FOUND.exec(text);
  if (notFound) {
    throw new FrontendOpsError('OUTPUT_NOT_FOUND', `stack ${stackName} has no output ${notFound[1]}`, {
      hint: 'Run `pulumi up` on the hosting stack so it exports artifactsBucket, hostingBucket, distributionId, url and syncCommand.',
    });
  }
  const header = OFFICIAL_HEADER.exec(text);
  if (header) {
    const body = text.slice(header[0].length).trim();
    if (body === 'No outputs found') throw invalid(server, stackName, 'the stack has no outputs');
    try {
      return parseOfficialOutputList(body);
    } catch (error) {
      throw invalid(server, stackName, `unreadable text answer (${(error as Error).message})`);
    }
  }
  const json = jsonObjectIn(text);
  if (json) {
    const all = StructuredAllSchema.safeParse(json);
    if (all.success) return all.data.outputs;
    const one = StructuredOneSchema.safeParse(json);
    if (one.success) return { [one.data.outputName]: one.data.value };
    if (outputName !== undefined && outputName in json) return { [outputName]: json[outputName] };
    return json;
  }
  throw invalid(server, stackName, 'the answer is neither structured content nor a known text format');
}
