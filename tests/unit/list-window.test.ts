import { describe, expect, it } from 'vitest';
import { createRowHeight, listWindow, pagesFor } from '../../lib/ui/list-window';

describe('listWindow', () => {
  it('renders the rows in the viewport plus an overscan, with space for the rest', () => {
    expect(listWindow({ total: 10_000, rowHeight: 40, scrolled: 0, viewport: 400, overscan: 5 })).toEqual({
      start: 0,
      end: 16,
      padTop: 0,
      padBottom: (10_000 - 16) * 40,
    });
    expect(listWindow({ total: 10_000, rowHeight: 40, scrolled: 4_000, viewport: 400, overscan: 5 })).toEqual(
      {
        start: 95,
        end: 116,
        padTop: 95 * 40,
        padBottom: (10_000 - 116) * 40,
      },
    );
  });

  it('reaches the last row when scrolled to the end, at 100,000 rows', () => {
    const w = listWindow({
      total: 100_000,
      rowHeight: 40,
      scrolled: 100_000 * 40 - 400,
      viewport: 400,
      overscan: 5,
    });
    expect(w.end).toBe(100_000);
    expect(w.padBottom).toBe(0);
    expect(w.end - w.start).toBeLessThanOrEqual(25);
    expect(w.padTop + (w.end - w.start) * 40).toBe(100_000 * 40);
  });

  it('keeps the rendered rows few wherever the list is scrolled, even past its end', () => {
    for (const scrolled of [0, 123, 39_999, 4_000_000, 9_999_999])
      for (const total of [0, 1, 7, 100_000]) {
        const w = listWindow({ total, rowHeight: 37, scrolled, viewport: 800 });
        expect(w.start).toBeLessThanOrEqual(w.end);
        expect(w.end).toBeLessThanOrEqual(total);
        expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(800 / 37) + 1 + 16);
        if (total > 0) expect(w.end - w.start).toBeGreaterThan(0);
      }
  });

  it('shows nothing for an empty result', () => {
    expect(listWindow({ total: 0, rowHeight: 40, scrolled: 500, viewport: 400 })).toEqual({
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
  });
});

describe('pagesFor', () => {
  it('names each page holding part of the range', () => {
    expect(pagesFor(0, 100, 100)).toEqual([0]);
    expect(pagesFor(95, 116, 100)).toEqual([0, 1]);
    expect(pagesFor(9_990, 10_000, 100)).toEqual([99]);
    expect(pagesFor(5, 5, 100)).toEqual([]);
  });
});

describe('createRowHeight', () => {
  it('starts from the guess and averages measured rows, counting a re-measured row once', () => {
    const h = createRowHeight(40);
    expect(h.value).toBe(40);
    h.measure('a', 30);
    h.measure('b', 50);
    expect(h.value).toBe(40);
    h.measure('a', 60);
    expect(h.value).toBe(55);
    h.measure('c', 0);
    expect(h.value).toBe(55);
  });
});
