import { describe, expect, it } from 'vitest';
import { dueDateFromInputs, dueDateFromLegacyMs, dueDateToInputs, isDueDate } from '../../lib/model/due-date';
import { formatDue, isOverdue } from '../../lib/ui/due';
import { inTimeZone } from './time-zone';

describe('due date text', () => {
  const accepts = [
    '2026-12-05',
    '2026-12-05T09:30',
    '2028-02-29',
    '2000-02-29',
    '2026-12-31T23:59',
    '0001-01-01T00:00',
  ];
  const rejects: [string, unknown][] = [
    ['ms since the epoch', 1_764_889_200_000],
    ['a zone', '2026-12-05T09:30Z'],
    ['an offset', '2026-12-05T09:30+01:00'],
    ['seconds', '2026-12-05T09:30:00'],
    ['a space for the T', '2026-12-05 09:30'],
    ['no leading zeros', '2026-2-5'],
    ['30 February', '2026-02-30'],
    ['29 February in 2100', '2100-02-29'],
    ['31 April', '2026-04-31'],
    ['month 13', '2026-13-01'],
    ['day 00', '2026-12-00'],
    ['hour 24', '2026-12-05T24:00'],
    ['minute 60', '2026-12-05T09:60'],
    ['year 0', '0000-01-01'],
    ['a five-digit year', '20260-01-01'],
    ['a time alone', '09:30'],
    ['text around it', ' 2026-12-05'],
    ['nothing', ''],
  ];
  for (const d of accepts) it(`accepts ${d}`, () => expect(isDueDate(d)).toBe(true));
  for (const [what, d] of rejects) it(`rejects ${what}`, () => expect(isDueDate(d)).toBe(false));
});

describe('due date form fields', () => {
  it('joins a date and an optional time', () => {
    expect(dueDateFromInputs('2026-12-05', '')).toBe('2026-12-05');
    expect(dueDateFromInputs('2026-12-05', '09:30')).toBe('2026-12-05T09:30');
    expect(dueDateFromInputs('2026-12-05', '09:30:15')).toBe('2026-12-05T09:30');
    expect(dueDateFromInputs('', '')).toBeNull();
  });
  it('answers undefined for a date or time that does not exist', () => {
    expect(dueDateFromInputs('2026-02-30', '')).toBeUndefined();
    expect(dueDateFromInputs('2026-12-05', '25:00')).toBeUndefined();
  });
  it('splits a due date back into the fields', () => {
    expect(dueDateToInputs('2026-12-05T09:30')).toEqual({ date: '2026-12-05', time: '09:30' });
    expect(dueDateToInputs('2026-12-05')).toEqual({ date: '2026-12-05', time: '' });
    expect(dueDateToInputs(null)).toEqual({ date: '', time: '' });
  });
});

describe('showing a due date', () => {
  for (const tz of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland']) {
    it(`shows the stored day and time in ${tz}`, () =>
      inTimeZone(tz, () => {
        expect(formatDue('2026-12-05', 'en-US')).toBe('Dec 5, 2026');
        expect(formatDue('2026-12-05T09:30', 'en-US')).toBe('Dec 5, 2026, 9:30 AM');
      }));
  }
  it('shows a time that falls in a DST gap as stored', () =>
    inTimeZone('Europe/Berlin', () =>
      expect(formatDue('2026-03-29T02:30', 'en-US')).toBe('Mar 29, 2026, 2:30 AM'),
    ));
});

describe('overdue', () => {
  it('is a day once it has passed on the local calendar', () =>
    inTimeZone('Europe/Berlin', () => {
      expect(isOverdue('2026-12-05', false, new Date(2026, 11, 5, 23, 59).getTime())).toBe(false);
      expect(isOverdue('2026-12-05', false, new Date(2026, 11, 6, 0, 0).getTime())).toBe(true);
      expect(isOverdue('2026-12-05', true, new Date(2026, 11, 6, 0, 0).getTime())).toBe(false);
      expect(isOverdue(null, false)).toBe(false);
    }));
  it('is a day and time once that local minute has passed', () =>
    inTimeZone('Europe/Berlin', () => {
      expect(isOverdue('2026-12-05T09:30', false, new Date(2026, 11, 5, 9, 30).getTime())).toBe(false);
      expect(isOverdue('2026-12-05T09:30', false, new Date(2026, 11, 5, 9, 31).getTime())).toBe(true);
    }));
  it('follows the calendar of the zone it is read in', () => {
    const instant = Date.UTC(2026, 11, 5, 2); // 03:00 on the 5th in Berlin, 21:00 on the 4th in New York
    expect(inTimeZone('Europe/Berlin', () => isOverdue('2026-12-04', false, instant))).toBe(true);
    expect(inTimeZone('America/New_York', () => isOverdue('2026-12-04', false, instant))).toBe(false);
  });
});

describe('old ms values', () => {
  it('become the local day of the instant', () => {
    const berlinMidnight = Date.UTC(2026, 11, 4, 23);
    expect(inTimeZone('Europe/Berlin', () => dueDateFromLegacyMs(berlinMidnight))).toBe('2026-12-05');
    expect(inTimeZone('Pacific/Auckland', () => dueDateFromLegacyMs(berlinMidnight))).toBe('2026-12-05');
    expect(inTimeZone('America/New_York', () => dueDateFromLegacyMs(berlinMidnight))).toBe('2026-12-04');
  });
  it('become nothing outside years 1 to 9999', () => {
    expect(dueDateFromLegacyMs(8e15)).toBeNull();
    expect(dueDateFromLegacyMs(Number.NaN)).toBeNull();
  });
});
