import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { describe, expect, it } from 'vitest';
import { lazySchemaValidator } from '../../../../agent/src/mcp/client/lazy-validator.js';

const SCHEMA = {
  type: 'object',
  properties: { commit: { type: 'string', pattern: '^[0-9a-f]{40}$' } },
  required: ['commit'],
} as const;

describe('lazySchemaValidator', () => {
  it('compiles a schema only when its first result arrives, then reuses it', () => {
    const compiled: unknown[] = [];
    const counting: jsonSchemaValidator = {
      getValidator(schema) {
        compiled.push(schema);
        return (input) => ({ valid: true, data: input as never, errorMessage: undefined });
      },
    };
    const lazy = lazySchemaValidator(counting);
    const validate = lazy.getValidator(SCHEMA);
    lazy.getValidator({ type: 'string' });
    expect(compiled).toEqual([]);
    validate({ commit: 'a'.repeat(40) });
    validate({ commit: 'b'.repeat(40) });
    expect(compiled).toEqual([SCHEMA]);
  });

  it('rejects a result that breaks its schema, saying where', () => {
    const validate = lazySchemaValidator().getValidator<{ commit: string }>(SCHEMA);
    expect(validate({ commit: 'a'.repeat(40) })).toEqual({
      valid: true,
      data: { commit: 'a'.repeat(40) },
      errorMessage: undefined,
    });
    const bad = validate({ commit: 'HEAD' });
    expect(bad.valid).toBe(false);
    expect(bad.errorMessage).toMatch(/commit.*pattern/);
    expect(validate({}).valid).toBe(false);
  });
});
