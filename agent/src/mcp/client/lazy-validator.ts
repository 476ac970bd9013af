import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * The SDK client compiles a validator for every tool's output schema as soon as it lists the tools (Ajv
 * generates code for each: tens of milliseconds per server). A one-shot command such as `frontendops status`
 * calls two or three of them; this compiles each schema on its tool's first result instead, with the same
 * Ajv settings, so the checks are unchanged and the unused ones cost nothing.
 */
export function lazySchemaValidator(
  inner: jsonSchemaValidator = new AjvJsonSchemaValidator(),
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
