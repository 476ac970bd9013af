import { describe, expect, it } from 'vitest';
import { modelSettings } from '../../../agent/src/agent/model.js';
import { runCli } from '../../../agent/src/cli/main.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { captureCli } from '../../support/cli-context.js';

function refusal(run: () => unknown): FrontendOpsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrontendOpsError);
    return error as FrontendOpsError;
  }
  throw new Error('expected MODEL_NOT_CONFIGURED');
}

describe('FRONTENDOPS_MODEL: a missing key is a configuration error that names the variable', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
    ['openai:gpt-4.1-mini', 'OPENAI_API_KEY'],
  ])('%s without its key → MODEL_NOT_CONFIGURED naming %s', (spec, variable) => {
    const err = refusal(() => modelSettings(spec, {}));
    expect(err.code).toBe('MODEL_NOT_CONFIGURED');
    expect(err.message).toContain(variable);
    expect(err.hint).toContain(variable);
    expect(modelSettings(spec, { [variable]: 'k-123' }).fields).toEqual({ apiKey: 'k-123' });
  });

  it('ollama needs no key; OLLAMA_BASE_URL, when set, must be an http(s) URL', () => {
    expect(modelSettings('ollama:llama3.1', {})).toEqual({
      provider: 'ollama',
      model: 'llama3.1',
      fields: {},
    });
    expect(modelSettings('ollama:llama3.1', { OLLAMA_BASE_URL: 'http://gpu:11434' }).fields).toEqual({
      baseUrl: 'http://gpu:11434',
    });
    const err = refusal(() => modelSettings('ollama:llama3.1', { OLLAMA_BASE_URL: 'gpu:11434' }));
    expect(err.code).toBe('MODEL_NOT_CONFIGURED');
    expect(err.message).toContain('OLLAMA_BASE_URL');
  });

  it.each(['mistral:large', 'claude', 'anthropic:', ''])('%j is an unknown or malformed provider', (spec) => {
    const err = refusal(() => modelSettings(spec, {}));
    expect(err.code).toBe('MODEL_NOT_CONFIGURED');
    expect(err.hint).toMatch(/anthropic:<model>, openai:<model> or ollama:<model>/);
  });

  it.each([['ask', 'what is live?'], ['chat']])(
    '`frontendops %s` exits 2 with Refused [MODEL_NOT_CONFIGURED], not INTERNAL, before starting anything',
    async (...args) => {
      const { ctx, err } = captureCli({ env: { FRONTENDOPS_MODEL: 'anthropic:claude-sonnet-4-5' } });
      expect(await runCli([...args, '--config', '/nonexistent/frontendops.config.json'], ctx)).toBe(2);
      expect(err()).toMatch(
        /^Refused \[MODEL_NOT_CONFIGURED\] FRONTENDOPS_MODEL=anthropic:claude-sonnet-4-5 needs ANTHROPIC_API_KEY/,
      );
      expect(err()).toMatch(/hint: Export ANTHROPIC_API_KEY/);
    },
  );
});
