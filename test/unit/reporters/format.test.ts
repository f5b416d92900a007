import { describe, expect, it } from 'vitest';
import { resultSummary } from '../../../lib/reporters/format.js';

describe('resultSummary', () => {
  it("prints a loop's item messages (a debug over a list), one per line, skipped items left out", () => {
    const text = resultSummary('ok', {
      changed: false,
      results: [
        { msg: 'h3 was NOT put back: steps A', lost: 'h3' },
        { skipped: true, msg: 'never shown' },
        { msg: 'h4 was NOT put back: steps B', lost: 'h4' },
      ],
    });
    expect(text).toBe('\n    - h3 was NOT put back: steps A\n    - h4 was NOT put back: steps B');
  });

  it('a failed loop keeps its own summary only', () => {
    expect(resultSummary('failed', { msg: '1 of 2 items failed', results: [{ msg: 'fine' }, { msg: 'bad', failed: true }] })).toBe('1 of 2 items failed');
  });
});
