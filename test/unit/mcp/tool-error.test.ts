import { describe, expect, it } from 'vitest';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { formatToolErrorText } from '../../../agent/src/mcp/tool-error.js';

describe('formatToolErrorText', () => {
  it('puts `CODE: message` on the first line even when the message spans lines, then the JSON body', () => {
    const error = new FrontendOpsError('TAG_CONFLICT', 'tag exists\n  on another commit', {
      hint: 'Pick the next number.',
      data: { tag: 'dashboard-deploy-20261123-1' },
    });
    const [first, second, ...rest] = formatToolErrorText(error).split('\n');
    expect(first).toBe('TAG_CONFLICT: tag exists on another commit');
    expect(JSON.parse(second ?? '')).toEqual({
      code: 'TAG_CONFLICT',
      message: 'tag exists\n  on another commit',
      hint: 'Pick the next number.',
      data: { tag: 'dashboard-deploy-20261123-1' },
    });
    expect(rest).toEqual([]);
  });

  it('leaves out hint and data when the error has none', () => {
    const body = formatToolErrorText(new FrontendOpsError('BAD_INPUT', 'nope')).split('\n')[1];
    expect(JSON.parse(body ?? '')).toEqual({ code: 'BAD_INPUT', message: 'nope' });
  });
});
