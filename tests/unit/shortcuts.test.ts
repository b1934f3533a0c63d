import { describe, expect, it } from 'vitest';
import { shortcutFor, SHORTCUTS } from '../../lib/ui/shortcuts';

const key = (k: string, more: Partial<Parameters<typeof shortcutFor>[0]> = {}) =>
  shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, typing: false, ...more });

describe('list shortcuts', () => {
  it('maps j, k, x, e, n, / and ? to their actions', () => {
    expect(['j', 'k', 'x', 'e', 'n', '/', '?'].map((k) => key(k))).toEqual([
      'next',
      'previous',
      'complete',
      'edit',
      'new',
      'search',
      'help',
    ]);
  });

  it('does nothing while typing in a field, with a modifier, or for other keys', () => {
    expect(key('j', { typing: true })).toBeNull();
    expect(key('n', { ctrlKey: true })).toBeNull();
    expect(key('x', { metaKey: true })).toBeNull();
    expect(key('e', { altKey: true })).toBeNull();
    expect(key('J')).toBeNull();
    expect(key('Enter')).toBeNull();
  });

  it('lists each key once in the help', () => {
    expect(new Set(SHORTCUTS.map((s) => s.key)).size).toBe(SHORTCUTS.length);
  });
});
