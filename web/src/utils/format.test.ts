import { describe, expect, it } from 'vitest';
import { formatDelta, parseBatchCsv, parseIdList, scoreSeries } from './format';

describe('parseBatchCsv', () => {
  it('reads studentId,delta lines with a BOM, a header, CRLF and blank lines', () => {
    expect(parseBatchCsv('\uFEFFstudentId,delta\r\ns-1,2\r\n\r\ns-2,-3\n')).toEqual({
      changes: [
        { studentId: 's-1', delta: 2 },
        { studentId: 's-2', delta: -3 },
      ],
    });
  });

  it('names the first bad line', () => {
    expect(parseBatchCsv('s-1,2\ns-2,x\n')).toEqual({ badLine: 2 });
    expect(parseBatchCsv('s-1,2\ns-2,0')).toEqual({ badLine: 2 });
    expect(parseBatchCsv('s-1,2,3')).toEqual({ badLine: 1 });
  });
});

describe('parseIdList', () => {
  it('splits on commas, spaces and new lines, once each', () => {
    expect(parseIdList('s-1, s-2\ns-3，s-1')).toEqual(['s-1', 's-2', 's-3']);
  });
});

describe('scoreSeries', () => {
  it('turns newest-first records into an oldest-first series from the score before them', () => {
    const records = [
      { at: '2026-01-03', newScore: 97, delta: -5 },
      { at: '2026-01-02', newScore: 102, delta: 2 },
    ];
    expect(scoreSeries(records)).toEqual([
      ['2026-01-02', 100],
      ['2026-01-02', 102],
      ['2026-01-03', 97],
    ]);
  });
});

it('formats a change with its sign', () => {
  expect(formatDelta(3)).toBe('+3');
  expect(formatDelta(-2)).toBe('-2');
});
