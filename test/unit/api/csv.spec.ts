import { CSV_BOM, csvCell, csvLine } from '../../../src/api/csv';
import { daysUpTo, foldClassDays } from '../../../src/projections/stats/stats-repository';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['=A1,"x"', `"'=A1,""x"""`],
    ['王小明', '王小明'],
  ])('%j is written %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it('writes numbers (negative too), booleans and nulls as they are; lines end in CRLF; the BOM is U+FEFF', () => {
    expect(csvLine([-5, true, null, undefined, 'x'])).toBe('-5,true,,,x\r\n');
    expect(Buffer.from(CSV_BOM, 'utf8')).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('a class by day', () => {
  it('carries each student\'s last score over days without a change; null before any student', () => {
    const days = daysUpTo('2025-03-03', 4);
    expect(days).toEqual(['2025-02-28', '2025-03-01', '2025-03-02', '2025-03-03']);
    const points = [
      { studentId: 'a', day: '2025-03-01', score: 100 },
      { studentId: 'b', day: '2025-03-01', score: 80 },
      { studentId: 'a', day: '2025-03-03', score: 110 },
    ];
    const byDay = new Map([['2025-03-03', { changes: 1, deltaSum: 10 }]]);
    expect(foldClassDays(days, points, byDay)).toEqual([
      { day: '2025-02-28', changes: 0, deltaSum: 0, averageScore: null },
      { day: '2025-03-01', changes: 0, deltaSum: 0, averageScore: 90 },
      { day: '2025-03-02', changes: 0, deltaSum: 0, averageScore: 90 },
      { day: '2025-03-03', changes: 1, deltaSum: 10, averageScore: 95 },
    ]);
  });
});
