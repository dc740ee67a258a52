import { AssertionError } from '../../../src/shared/assert';
import { LogTail } from '../../../src/projections/log-tail';
import type { EventLogRow } from '../../../src/projections/logged-event';

const row = (position: number, data = '{}'): EventLogRow => ({
  position,
  stream_type: 'log',
  stream_id: 's-1',
  type: 'RecordAppended',
  schema_version: 1,
  data,
});
const rows = (from: number, to: number): EventLogRow[] => Array.from({ length: to - from + 1 }, (_, i) => row(from + i));
const positions = (held: readonly EventLogRow[] | undefined) => held?.map((r) => r.position);

describe('LogTail', () => {
  it('given rows appended in order, when a reader asks after a position it holds, then it gets the rows that follow, at most limit', () => {
    const tail = new LogTail();
    tail.append(rows(1, 3));
    tail.append(rows(4, 6));
    expect(positions(tail.read(0, 10))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(positions(tail.read(2, 3))).toEqual([3, 4, 5]);
    expect(positions(tail.read(5, 10))).toEqual([6]);
  });

  it('given a reader that is caught up or ahead, then it is sent to MySQL (undefined), which may hold more', () => {
    const tail = new LogTail();
    tail.append(rows(1, 3));
    expect(tail.read(3, 10)).toBeUndefined();
    expect(tail.read(7, 10)).toBeUndefined();
    expect(new LogTail().read(0, 10)).toBeUndefined();
  });

  it('given a reader behind the oldest row held, then it is sent to MySQL', () => {
    const tail = new LogTail({ eventsMax: 3 });
    tail.append(rows(1, 5));
    expect([tail.first, tail.last, tail.size]).toEqual([3, 5, 3]);
    expect(tail.read(1, 10)).toBeUndefined();
    expect(positions(tail.read(2, 10))).toEqual([3, 4, 5]);
  });

  it('given rows that do not follow the last one held (a write it did not see), then it starts afresh and never serves across the gap', () => {
    const tail = new LogTail();
    tail.append(rows(1, 3));
    tail.append(rows(6, 7));
    expect([tail.first, tail.last]).toEqual([6, 7]);
    expect(tail.read(3, 10)).toBeUndefined();
    expect(positions(tail.read(5, 10))).toEqual([6, 7]);
  });

  it('given more data than its byte limit, then it drops the oldest rows but keeps the newest', () => {
    const tail = new LogTail({ dataBytesMax: 25 });
    tail.append([row(1, 'x'.repeat(10)), row(2, 'x'.repeat(10)), row(3, 'x'.repeat(10))]);
    expect([tail.first, tail.last]).toEqual([2, 3]);
    tail.append([row(4, 'x'.repeat(100))]);
    expect([tail.first, tail.last, tail.size]).toEqual([4, 4, 1]);
  });

  it('given many appends, then what it serves stays correct as it compacts', () => {
    const tail = new LogTail({ eventsMax: 100 });
    for (let p = 1; p <= 5000; p += 7) tail.append(rows(p, p + 6));
    expect([tail.first, tail.last, tail.size]).toEqual([4906, 5005, 100]);
    expect(positions(tail.read(4999, 3))).toEqual([5000, 5001, 5002]);
  });

  it('given clear, then every read goes to MySQL until rows are appended again', () => {
    const tail = new LogTail();
    tail.append(rows(1, 3));
    tail.clear();
    expect(tail.read(0, 10)).toBeUndefined();
    tail.append(rows(4, 4));
    expect(positions(tail.read(3, 10))).toEqual([4]);
  });

  it('given limits that are not positive integers, then it refuses them', () => {
    expect(() => new LogTail({ eventsMax: 0 })).toThrow(AssertionError);
    expect(() => new LogTail({ dataBytesMax: 1.5 })).toThrow(AssertionError);
  });
});
