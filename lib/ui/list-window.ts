/**
 * The virtual list's arithmetic (issue 12.4): which rows of a long result to put in the DOM for a
 * scroll position, and how much empty space stands in for the rest. Rows are taken as one estimated
 * height (the average of rows measured so far) for the space they take while not rendered, so a
 * scroll position maps to a row in O(1) at 100,000 rows; rendered rows keep their real height.
 */

export interface ListWindow {
  /** First row index rendered. */
  start: number;
  /** One past the last row index rendered. */
  end: number;
  /** Pixels standing in for the rows before `start`. */
  padTop: number;
  /** Pixels standing in for the rows from `end` on. */
  padBottom: number;
}

/** Rows rendered beyond the viewport on each side, so Tab and short scrolls find rows in place. */
export const OVERSCAN = 8;

/**
 * @param scrolled pixels of the list scrolled above the viewport's top (0 while its top is visible)
 * @param viewport the viewport's height in pixels
 */
export function listWindow(opts: {
  total: number;
  rowHeight: number;
  scrolled: number;
  viewport: number;
  overscan?: number;
}): ListWindow {
  const { total } = opts;
  const h = Math.max(1, opts.rowHeight);
  const over = opts.overscan ?? OVERSCAN;
  if (total <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, opts.scrolled) / h);
  const start = Math.min(Math.max(0, first - over), Math.max(0, total - 1));
  const end = Math.min(total, first + Math.ceil(Math.max(0, opts.viewport) / h) + 1 + over);
  return {
    start,
    end: Math.max(start, end),
    padTop: start * h,
    padBottom: (total - Math.max(start, end)) * h,
  };
}

/** The pages (of `pageSize` rows) that hold rows `start` to `end - 1`. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

/** A running average of measured row heights, starting from a guess. */
export function createRowHeight(initial: number) {
  let sum = 0;
  let n = 0;
  const seen = new Map<string, number>();
  return {
    get value(): number {
      return n === 0 ? initial : sum / n;
    },
    /** Records a row's height by id (a re-measured row replaces its old height). */
    measure(id: string, height: number): void {
      if (!(height > 0)) return;
      const old = seen.get(id);
      if (old !== undefined) sum -= old;
      else n++;
      seen.set(id, height);
      sum += height;
    },
  };
}
