import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * How the agent's MCP client checks each tool result against the tool's output schema. The SDK's default
 * (Ajv) generates code for every tool's schema as soon as it lists the tools, which costs a one-shot command
 * such as `frontendops status` more than the calls it makes. This validator is the SDK's other official one
 * (@cfworker/json-schema: interprets the schema, no code generation, a fraction of Ajv's size), and prepares
 * each schema on its tool's first result instead of at listing: the same checks, paid only for the tools
 * actually called.
 */
export function lazySchemaValidator(
  inner: jsonSchemaValidator = new CfWorkerJsonSchemaValidator(),
): jsonSchemaValidator {
  return {
    getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]): JsonSchemaValidator<T> {
      let compiled: JsonSchemaValidator<T> | undefined;
      return (input) => {
        compiled ??= inner.getValidator<T>(schema);
        return compiled(input);
      };
    },
  };
}
