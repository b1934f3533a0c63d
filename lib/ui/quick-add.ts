/**
 * Quick add with meaning: "Call Bob tomorrow 5pm !high" → title "Call Bob", due tomorrow 17:00,
 * priority high (issue 12). Pure: the caller passes "now" and the locale's day/month order, so the
 * same text always means the same thing in tests.
 *
 * Locale decisions:
 * - Words are English (chrono-node's `en` parsers): weekdays, "tomorrow", "next week", "in 3 days",
 *   "Dec 10", "10 Dec", "5pm", "17:00", "noon".
 * - Numeric day/month forms follow the person's locale order: `5/12` is 5 December where the locale
 *   writes the day first (en-GB, de, fr, …), 12 May where it writes the month first (en-US).
 *   `2026-12-05` (ISO) means the same everywhere.
 * - Times: "5pm", "5:30 pm", "17:00", "noon", "midnight". A bare hour ("at 5") is left as text:
 *   5 in the morning or the afternoon is a guess, and a wrong guess is worse than none.
 *
 * Dates are floating calendar dates (lib/model/due-date.ts): the day and wall time are read from the
 * parsed components, never through a zone conversion.
 *
 * What stays literal, because it is more often part of a title than a date: a lone weekday
 * abbreviation ("Fix the sun roof", "Sat exam"; "on sat" and "saturday" are dates), a lone month
 * name ("March on Rome", "May I"), "now", a duration without "in" ("Take a day off"), and anything in
 * double quotes (`Watch "Tomorrow Never Dies"`). A phrase that would leave no title is not parsed.
 */
import { casual, GB, type ParsedResult } from 'chrono-node/en';
import { isDueDate, parseDueDate, type DueDate } from '../model/due-date';
import type { Priority } from '../model/todo';
import { formatDue } from './due';

export interface QuickAdd {
  /** The title with the understood words taken out, or the text as typed when nothing was understood. */
  title: string;
  due_date: DueDate | null;
  priority: Priority | null;
  /** The words that were understood, as typed, for the preview. */
  understood: string[];
}

export interface QuickAddOptions {
  now: Date;
  /** Numeric dates put the day first (`5/12` = 5 December). See localeIsDayFirst. */
  dayFirst: boolean;
}

/** Whether the locale writes numeric dates day first, read from Intl rather than a list of locales. */
export function localeIsDayFirst(locale?: string): boolean {
  try {
    const parts = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric' }).formatToParts(
      new Date(2026, 11, 5),
    );
    const day = parts.findIndex((p) => p.type === 'day');
    const month = parts.findIndex((p) => p.type === 'month');
    return day >= 0 && month >= 0 && day < month;
  } catch {
    return false;
  }
}

const PRIORITY_TOKENS: Record<string, Priority> = {
  '!!': 'high',
  '!!!': 'high',
  '!high': 'high',
  '!h': 'high',
  '!1': 'high',
  '!medium': 'medium',
  '!med': 'medium',
  '!m': 'medium',
  '!2': 'medium',
  '!low': 'low',
  '!l': 'low',
  '!3': 'low',
};
const PRIORITY_RE = /(?<=^|\s)(!!!?|![a-z0-9]+)(?=\s|$)/gi;

const WEEKDAY_ABBR = /^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?$/i;
const MONTH_ALONE =
  /^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december)\.?$/i;
/** "in 3 days", "next week", "3 days from now": a duration that says it is one from now. */
const RELATIVE_OK = /^(in|within|next|this|after)\b|\b(from now|later)$/i;
/** A time that is only an hour number, after "at": 5 am or 5 pm is a guess. */
const BARE_HOUR = /\s*\bat\s+\d{1,2}$/i;
/** Words that only join a date to the title: "Pay by Dec 10" → "Pay". */
const JOINER_BEFORE = /\s+(on|at|by|due)\s*$/i;

type Span = { start: number; end: number };

/** Quoted text keeps its length but cannot match a date (or a priority). */
function maskQuotes(text: string): string {
  return text.replace(/"[^"]*"|“[^”]*”/g, (q) => q[0] + '_'.repeat(Math.max(0, q.length - 2)) + q.slice(-1));
}

const blank = (text: string, s: Span) =>
  text.slice(0, s.start) + ' '.repeat(s.end - s.start) + text.slice(s.end);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dueOf(r: ParsedResult, opts: QuickAddOptions): DueDate | null {
  const text = r.text.trim().toLowerCase();
  let y = r.start.get('year') ?? 0;
  let m = r.start.get('month') ?? 0;
  let d = r.start.get('day') ?? 0;
  // Like Todoist and Things: next week starts on its Monday, next month on its 1st (chrono adds 7 days / a month).
  if (text === 'next week') {
    const t = new Date(opts.now.getFullYear(), opts.now.getMonth(), opts.now.getDate());
    t.setDate(t.getDate() + ((8 - t.getDay()) % 7 || 7));
    [y, m, d] = [t.getFullYear(), t.getMonth() + 1, t.getDate()];
  } else if (text === 'next month') {
    const t = new Date(opts.now.getFullYear(), opts.now.getMonth() + 1, 1);
    [y, m, d] = [t.getFullYear(), t.getMonth() + 1, 1];
  }
  const hasTime = r.start.isCertain('hour');
  const s = `${pad(y, 4)}-${pad(m)}-${pad(d)}${hasTime ? `T${pad(r.start.get('hour') ?? 0)}:${pad(r.start.get('minute') ?? 0)}` : ''}`;
  return isDueDate(s) ? s : null;
}

/** The first date phrase worth taking, with its span in the text, or null. */
function findDate(masked: string, opts: QuickAddOptions): { due: DueDate; span: Span; text: string } | null {
  for (const r0 of casual.parse(masked, { instant: opts.now }, { forwardDate: true })) {
    let r = r0;
    let text = r.text;
    // "Friday at 5": take Friday, leave "at 5" in the title.
    if (BARE_HOUR.test(text) && r.start.isCertain('hour')) {
      text = text.replace(BARE_HOUR, '');
      if (!text.trim()) continue;
      const again = casual.parse(text, { instant: opts.now }, { forwardDate: true })[0];
      if (!again || again.index !== 0 || again.text !== text) continue;
      r = again;
    }
    const lower = text.trim().toLowerCase();
    if (lower === 'now' || WEEKDAY_ABBR.test(lower) || MONTH_ALONE.test(lower)) continue;
    if (r.tags().has('result/relativeDate') && !RELATIVE_OK.test(lower)) continue;
    // chrono's casual parser reads slashes month first; the day-first reading comes from its GB parser.
    if (opts.dayFirst && r.tags().has('parser/SlashDateFormatParser')) {
      const gb = GB.parse(text, { instant: opts.now }, { forwardDate: true })[0];
      if (!gb) continue;
      r = gb;
    }
    const due = dueOf(r, opts);
    if (due) return { due, span: { start: r0.index, end: r0.index + text.length }, text };
  }
  return null;
}

export function parseQuickAdd(text: string, opts: QuickAddOptions): QuickAdd {
  const literal: QuickAdd = { title: text.trim(), due_date: null, priority: null, understood: [] };
  let masked = maskQuotes(text);
  const spans: Span[] = [];
  const understood: string[] = [];

  let priority: Priority | null = null;
  for (const m of masked.matchAll(PRIORITY_RE)) {
    const p = PRIORITY_TOKENS[m[0].toLowerCase()];
    if (!p) continue;
    // The last one wins, as when someone corrects themselves ("!low !high").
    priority = p;
    spans.push({ start: m.index, end: m.index + m[0].length });
    understood.push(m[0]);
  }
  for (const s of spans) masked = blank(masked, s);

  const date = findDate(masked, opts);
  if (date) {
    // The joining word goes with the date ("Pay by Dec 10" → "Pay").
    const joiner = JOINER_BEFORE.exec(masked.slice(0, date.span.start));
    spans.push({ start: joiner ? joiner.index : date.span.start, end: date.span.end });
    understood.push(date.text.trim());
  }
  if (spans.length === 0) return literal;

  let title = text;
  for (const s of [...spans].sort((a, b) => b.start - a.start))
    title = title.slice(0, s.start) + ' ' + title.slice(s.end);
  title = title
    .replace(/\s+/g, ' ')
    .replace(/\s+([,;.])/g, '$1')
    .replace(/^[\s,;–-]+|[\s,;–-]+$/g, '')
    .trim();
  // Nothing left to call the todo: "tomorrow" alone is a title, not a date.
  if (!title) return literal;
  return { title, due_date: date?.due ?? null, priority, understood };
}

/**
 * The preview's sentence: `Saves “Call Bob”, due Thu, Dec 3, 2026, 5:00 PM, high priority.` The
 * weekday is there because "Friday" or "in 3 days" is checked against a weekday more easily than a date.
 */
export function describeQuickAdd(q: QuickAdd, locale?: string): string {
  const parts = [`Saves “${q.title}”`];
  if (q.due_date) {
    const p = parseDueDate(q.due_date);
    const weekday = p ? dayName(p.year, p.month, p.day, locale) : '';
    parts.push(`due ${weekday ? `${weekday} ` : ''}${formatDue(q.due_date, locale)}`);
  }
  if (q.priority) parts.push(`${q.priority} priority`);
  return `${parts.join(', ')}.`;
}

/** Through UTC, like formatDue: a floating date has no zone to convert from. */
function dayName(year: number, month: number, day: number, locale?: string): string {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.toLocaleDateString(locale, { weekday: 'short', timeZone: 'UTC' });
}
