import fc from 'fast-check';
import { addDays, canonicalTimeZone, sameTimeZone, schoolDays } from '../../../src/shared/school-days';

const ms = (iso: string) => Date.parse(iso);
const iso = (instant: number) => new Date(instant).toISOString();

describe('school days in a time zone', () => {
  it('counts a time at 23:30 UTC for the next day in Asia/Shanghai (UTC+8), and its day from 16:00 UTC', () => {
    const days = schoolDays('Asia/Shanghai');
    expect(days.dayOf(ms('2025-03-01T23:30:00.000Z'))).toBe('2025-03-02');
    expect(days.dayOf(ms('2025-03-01T15:59:59.999Z'))).toBe('2025-03-01');
    expect(days.dayOf(ms('2025-03-01T16:00:00.000Z'))).toBe('2025-03-02');
    // 07:30 in the morning in Shanghai is still the same day there (23:30 UTC the evening before).
    expect(days.dayOf(ms('2025-03-02T07:30:00.000Z'))).toBe('2025-03-02');
    expect(iso(days.startOf('2025-03-02'))).toBe('2025-03-01T16:00:00.000Z');
    expect(iso(days.startOf('2025-01-01'))).toBe('2024-12-31T16:00:00.000Z');
  });

  it('follows Europe/Berlin over its DST changes: a 23-hour day in March, a 25-hour day in October', () => {
    const days = schoolDays('Europe/Berlin');
    // 2025-03-30: 02:00 CET becomes 03:00 CEST.
    expect(iso(days.startOf('2025-03-30'))).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(days.startOf('2025-03-31'))).toBe('2025-03-30T22:00:00.000Z');
    expect(days.startOf('2025-03-31') - days.startOf('2025-03-30')).toBe(23 * 3_600_000);
    expect(days.dayOf(ms('2025-03-29T23:30:00.000Z'))).toBe('2025-03-30'); // 00:30 CET
    expect(days.dayOf(ms('2025-03-30T21:59:59.999Z'))).toBe('2025-03-30'); // 23:59 CEST
    expect(days.dayOf(ms('2025-03-30T22:00:00.000Z'))).toBe('2025-03-31'); // 00:00 CEST
    // 2025-10-26: 03:00 CEST becomes 02:00 CET.
    expect(iso(days.startOf('2025-10-26'))).toBe('2025-10-25T22:00:00.000Z');
    expect(iso(days.startOf('2025-10-27'))).toBe('2025-10-26T23:00:00.000Z');
    expect(days.dayOf(ms('2025-10-26T22:30:00.000Z'))).toBe('2025-10-26'); // 23:30 CET
    expect(days.dayOf(ms('2025-10-26T23:00:00.000Z'))).toBe('2025-10-27');
  });

  it('starts a day whose midnight a DST change skips at the instant the clocks jump to (America/Santiago, 2024-09-08)', () => {
    const days = schoolDays('America/Santiago');
    // Saturday 24:00 (UTC-4) became Sunday 01:00 (UTC-3): Sunday's first instant is 04:00 UTC.
    expect(iso(days.startOf('2024-09-08'))).toBe('2024-09-08T04:00:00.000Z');
    expect(days.dayOf(ms('2024-09-08T03:59:59.999Z'))).toBe('2024-09-07');
    expect(days.dayOf(ms('2024-09-08T04:00:00.000Z'))).toBe('2024-09-08');
    expect(days.startOf('2024-09-09') - days.startOf('2024-09-08')).toBe(23 * 3_600_000);
  });

  it('starts a day east of UTC on the right side of a DST change made before UTC midnight (Australia/Sydney, 2024-10-06)', () => {
    const days = schoolDays('Australia/Sydney');
    // 00:00 AEST (UTC+10) is 14:00 UTC the day before; the clocks go from 02:00 to 03:00 AEDT (UTC+11) later that night.
    expect(iso(days.startOf('2024-10-06'))).toBe('2024-10-05T14:00:00.000Z');
    expect(iso(days.startOf('2024-10-07'))).toBe('2024-10-06T13:00:00.000Z');
  });

  it('starts every day of 2024..2026 where its local date begins, in zones with every kind of DST and offset', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Tehran', 'Asia/Kathmandu'];
    const wrong: string[] = [];
    for (const zone of zones) {
      const days = schoolDays(zone);
      for (let day = '2024-01-01'; day < '2027-01-01'; day = addDays(day, 1)) {
        const start = days.startOf(day);
        if (days.dayOf(start) !== day || days.dayOf(start - 1) !== addDays(day, -1)) wrong.push(`${zone} ${day}: ${iso(start)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('leaves UTC as it was: the date of the ISO time, days from 00:00Z (Etc/UTC and other spellings alike)', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'utc']) {
      const days = schoolDays(zone);
      expect(days.timeZone).toBe(zone);
      expect(days.dayOf(ms('2025-03-01T23:30:00.000Z'))).toBe('2025-03-01');
      expect(days.dayOf(ms('2025-03-02T00:00:00.000Z'))).toBe('2025-03-02');
      expect(iso(days.startOf('2025-03-02'))).toBe('2025-03-02T00:00:00.000Z');
    }
  });

  it('puts every instant in the day that starts at or before it and ends after it, in any order (the cache of the last day included)', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(fc.integer({ min: ms('2000-01-01T00:00:00Z'), max: ms('2040-01-01T00:00:00Z') }), { minLength: 1, maxLength: 8 }), (zone, instants) => {
        const days = schoolDays(zone);
        for (const instant of instants) {
          const day = days.dayOf(instant);
          expect(days.startOf(day)).toBeLessThanOrEqual(instant);
          expect(days.startOf(addDays(day, 1))).toBeGreaterThan(instant);
          expect(days.dayOf(days.startOf(day))).toBe(day);
          expect(days.dayOf(days.startOf(day) - 1)).toBe(addDays(day, -1));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with Intl on the local date of any instant', () => {
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: ms('2000-01-01T00:00:00Z'), max: ms('2040-01-01T00:00:00Z') }), (instant) => {
        expect(schoolDays('Asia/Shanghai').dayOf(instant)).toBe(date.format(instant));
      }),
    );
  });

  it('refuses (asserts) a zone Intl does not know, and a day that is not YYYY-MM-DD', () => {
    expect(() => schoolDays('Mars/Olympus_Mons')).toThrow(/not an IANA time zone/);
    expect(() => schoolDays('UTC').startOf('2025-3-1')).toThrow(/YYYY-MM-DD/);
  });
});

describe('time zone names', () => {
  it.each([
    ['Asia/Shanghai', 'Asia/Shanghai'],
    ['asia/shanghai', 'Asia/Shanghai'],
    ['Etc/UTC', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['+08:00', undefined],
    ['UTC+8', undefined],
    ['Mars/Olympus_Mons', undefined],
    ['', undefined],
  ])('%j is %j', (name, canonical) => {
    expect(canonicalTimeZone(name)).toBe(canonical);
  });

  it('takes aliases of one zone as the same zone', () => {
    expect(sameTimeZone('UTC', 'Etc/UTC')).toBe(true);
    expect(sameTimeZone('asia/shanghai', 'Asia/Shanghai')).toBe(true);
    expect(sameTimeZone('UTC', 'Asia/Shanghai')).toBe(false);
    expect(sameTimeZone('Nowhere', 'Nowhere')).toBe(false);
  });
});

describe('calendar days', () => {
  it('adds and subtracts days across months, years and 29 February', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2025-03-01', 0)).toBe('2025-03-01');
  });
});
