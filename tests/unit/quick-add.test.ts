import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDueDate } from '../../lib/model/due-date';
import { describeQuickAdd, localeIsDayFirst, parseQuickAdd } from '../../lib/ui/quick-add';
import { inTimeZone } from './time-zone';

/** Wednesday 2 December 2026, 10:00 local time. */
const NOW = new Date(2026, 11, 2, 10, 0);
const US = { now: NOW, dayFirst: false };
const GB = { now: NOW, dayFirst: true };

type Row = [phrase: string, title: string, due: string | null, priority: 'low' | 'medium' | 'high' | null];

// Each phrase with what a person means by it, relative to NOW; the month-first reading (en-US).
const TABLE: Row[] = [
  ['Call Bob tomorrow 5pm !high', 'Call Bob', '2026-12-03T17:00', 'high'],
  ['Buy oat milk', 'Buy oat milk', null, null],
  ['Buy milk today', 'Buy milk', '2026-12-02', null],
  ['Today call the bank', 'call the bank', '2026-12-02', null],
  ['Gym monday', 'Gym', '2026-12-07', null],
  ['Gym on Monday', 'Gym', '2026-12-07', null],
  ['Pay rent friday', 'Pay rent', '2026-12-04', null],
  ['Water plants wednesday', 'Water plants', '2026-12-02', null],
  ['Trip next monday', 'Trip', '2026-12-07', null],
  ['Report next week', 'Report', '2026-12-07', null],
  ['Budget next month', 'Budget', '2027-01-01', null],
  ['Pay in 3 days', 'Pay', '2026-12-05', null],
  ['Review in 2 weeks', 'Review', '2026-12-16', null],
  ['Call back in an hour', 'Call back', '2026-12-02T11:00', null],
  ['Dentist 2026-12-09', 'Dentist', '2026-12-09', null],
  ['Dentist 2027-01-15 !low', 'Dentist', '2027-01-15', 'low'],
  ['Party 5/12', 'Party', '2027-05-12', null],
  ['Party 12/24 8pm', 'Party', '2026-12-24T20:00', null],
  ['Pay by Dec 10', 'Pay', '2026-12-10', null],
  ['Pay by 10 Dec', 'Pay', '2026-12-10', null],
  ['Renew passport March 3', 'Renew passport', '2027-03-03', null],
  ['Lunch friday 12:30', 'Lunch', '2026-12-04T12:30', null],
  ['Meeting 17:00', 'Meeting', '2026-12-02T17:00', null],
  ['Standup 9am', 'Standup', '2026-12-03T09:00', null],
  ['Dinner 8pm tomorrow', 'Dinner', '2026-12-03T20:00', null],
  ['Lunch with Ana at noon', 'Lunch with Ana', '2026-12-02T12:00', null],
  ['Call mom on sat', 'Call mom', '2026-12-05', null],
  ['Clean garage this weekend', 'Clean garage', '2026-12-05', null],
  ['Taxes end of month', 'Taxes', '2026-12-31', null],
  ['Email Sam !!', 'Email Sam', null, 'high'],
  ['Email Sam !h', 'Email Sam', null, 'high'],
  ['Tidy desk !low', 'Tidy desk', null, 'low'],
  ['Tidy desk !LOW', 'Tidy desk', null, 'low'],
  ['Tidy desk !medium', 'Tidy desk', null, 'medium'],
  ['!high Fix the leak tomorrow', 'Fix the leak', '2026-12-03', 'high'],
  ['Fix bike !low !high', 'Fix bike', null, 'high'],
  ['Call Bob, tomorrow', 'Call Bob', '2026-12-03', null],
  // Literal: these words are part of the title.
  ['Fix the sun roof', 'Fix the sun roof', null, null],
  ['Sat exam results', 'Sat exam results', null, null],
  ['March on Rome', 'March on Rome', null, null],
  ['May I borrow the ladder', 'May I borrow the ladder', null, null],
  ['Read chapter 3 now', 'Read chapter 3 now', null, null],
  ['Take a day off', 'Take a day off', null, null],
  ['Read 1984', 'Read 1984', null, null],
  ['Room 101', 'Room 101', null, null],
  ['Buy 2 eggs', 'Buy 2 eggs', null, null],
  ['Meet at 5', 'Meet at 5', null, null],
  ['Movie friday at 9', 'Movie at 9', '2026-12-04', null],
  ['Wow!! great', 'Wow!! great', null, null],
  ['Say hi!', 'Say hi!', null, null],
  ['Ask about !important stuff', 'Ask about !important stuff', null, null],
  ['Watch "Tomorrow Never Dies"', 'Watch "Tomorrow Never Dies"', null, null],
  ['Watch "Tomorrow Never Dies" friday', 'Watch "Tomorrow Never Dies"', '2026-12-04', null],
  ['"!!" sign', '"!!" sign', null, null],
  ['tomorrow', 'tomorrow', null, null],
  ['!high', '!high', null, null],
];

describe('quick add understands dates and priorities (now = Wed 2 Dec 2026 10:00)', () => {
  it.each(TABLE)('%s', (phrase, title, due, priority) => {
    const r = parseQuickAdd(phrase, US);
    expect({ title: r.title, due: r.due_date, priority: r.priority }).toEqual({ title, due, priority });
  });
});

describe('numeric dates follow the locale order', () => {
  it('reads 5/12 as 5 December where the day comes first', () => {
    expect(parseQuickAdd('Party 5/12', GB)).toMatchObject({ title: 'Party', due_date: '2026-12-05' });
    expect(parseQuickAdd('Party 24/12 8pm', GB)).toMatchObject({ due_date: '2026-12-24T20:00' });
  });
  it('reads 5/12 as 12 May where the month comes first', () => {
    expect(parseQuickAdd('Party 5/12', US)).toMatchObject({ due_date: '2027-05-12' });
  });
  it('reads words and ISO dates the same in both orders', () => {
    for (const [phrase] of TABLE.filter(([p]) => !/\d+\/\d+/.test(p)))
      expect(parseQuickAdd(phrase, GB)).toEqual(parseQuickAdd(phrase, US));
  });
  it('tells day-first locales from month-first ones through Intl', () => {
    expect(localeIsDayFirst('en-US')).toBe(false);
    expect(localeIsDayFirst('en-GB')).toBe(true);
    expect(localeIsDayFirst('de-DE')).toBe(true);
    expect(localeIsDayFirst('fr-FR')).toBe(true);
  });
});

describe('quick add keeps what it does not understand', () => {
  it('lists the understood words for the preview', () => {
    expect(parseQuickAdd('Call Bob tomorrow 5pm !high', US).understood).toEqual(['!high', 'tomorrow 5pm']);
    expect(parseQuickAdd('Buy milk', US).understood).toEqual([]);
  });

  it('gives the same calendar day and time in every time zone', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland']) {
      const r = inTimeZone(tz, () =>
        parseQuickAdd('Call Bob tomorrow 5pm', { now: new Date(2026, 11, 2, 10), dayFirst: false }),
      );
      expect(r.due_date).toBe('2026-12-03T17:00');
    }
  });

  it('never throws, never returns an empty title for text, and only returns real due dates', () => {
    const word = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(
        'tomorrow',
        '5pm',
        'next',
        'week',
        'in',
        '3',
        'days',
        '!high',
        '!!',
        'on',
        'sat',
        'by',
        'Dec',
        '10',
        '"',
        '12/24',
        '2026-12-09',
        'at',
        'noon',
      ),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        const text = words.join(' ');
        const r = parseQuickAdd(text, US);
        if (text.trim()) expect(r.title.length).toBeGreaterThan(0);
        expect(r.title.length).toBeLessThanOrEqual(text.trim().length);
        if (r.due_date !== null) expect(isDueDate(r.due_date)).toBe(true);
        if (r.due_date === null && r.priority === null) expect(r.title).toBe(text.trim());
      }),
      { numRuns: 300 },
    );
  });
});

describe('the preview sentence', () => {
  it('names the title, the weekday and date, and the priority', () => {
    expect(describeQuickAdd(parseQuickAdd('Call Bob tomorrow 5pm !high', US), 'en-US')).toBe(
      'Saves “Call Bob”, due Thu Dec 3, 2026, 5:00 PM, high priority.',
    );
    expect(describeQuickAdd(parseQuickAdd('Tidy desk !low', US), 'en-US')).toBe(
      'Saves “Tidy desk”, low priority.',
    );
  });
});
