import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clip } from '../../lib/ui/clip';

describe('clip', () => {
  it('leaves text that fits alone', () => expect(clip('Buy milk', 8)).toBe('Buy milk'));
  it('cuts longer text and marks the cut', () => expect(clip('Buy oat milk', 7)).toBe('Buy oat…'));
  it('never splits an emoji in two', () => {
    expect(clip('ab😀cd', 3)).toBe('ab…');
    expect(clip('ab😀cd', 4)).toBe('ab😀…');
  });
  it('never leaves a lone high surrogate, whatever the text and bound', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 40 }), (t, max) => {
        const out = clip(t, max);
        expect(out.length).toBeLessThanOrEqual(max + 1);
        expect(out.endsWith('…') || out === t).toBe(true);
        const body = out === t ? out : out.slice(0, -1);
        expect(t.startsWith(body)).toBe(true);
        expect(/[\uD800-\uDBFF]$/.test(body)).toBe(false);
      }),
    ));
});
