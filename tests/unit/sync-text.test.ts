import { describe, expect, it } from 'vitest';
import { errorText, reasonParts, type TextPart } from '../../lib/messages/sync-text';
import { ROUND_REASONS } from '../../lib/sync/engine-types';

/** A right-to-left name that ends in digits: run into the sentence, it would reorder it. */
const NAME = 'הטלפון של דנה 2';
const plain = (parts: TextPart[] | null) => parts?.map((p) => p.name ?? p.text).join('');

describe('sync reasons in parts', () => {
  it('keeps the peer’s name in a part of its own, never inside the words', () => {
    expect(reasonParts('peer-left', NAME)).toEqual([
      { text: '', name: NAME },
      { text: ' left before the sync finished. Nothing was lost; sync again to finish.' },
    ]);
    for (const code of ROUND_REASONS)
      for (const part of reasonParts(code, NAME)!)
        if (part.name === undefined) expect(part.text).not.toContain(NAME);
  });

  it('names the peer in every reason that speaks of it, and reads as one sentence', () => {
    for (const code of ['peer-silent', 'peer-left', 'peer-held-rows', 'peer-apply-failed']) {
      const parts = reasonParts(code, NAME)!;
      expect(parts.filter((p) => p.name === NAME)).toHaveLength(1);
      expect(plain(parts)).toMatch(new RegExp(`^${NAME} \\w`));
    }
    expect(plain(reasonParts('superseded', NAME))).toBe('A new sync started before this one finished.');
  });

  it('says “The other device” as plain words when the peer has no name', () => {
    expect(reasonParts('peer-silent', null)).toEqual([
      { text: 'The other device' },
      { text: ' stopped responding before the sync finished. Nothing was lost; sync again to finish.' },
    ]);
  });

  it('passes an older sync_log sentence through as text, and nothing for no reason', () => {
    expect(reasonParts('Chrome left before the sync finished.', NAME)).toEqual([
      { text: 'Chrome left before the sync finished.' },
    ]);
    expect(reasonParts(null, NAME)).toBeNull();
  });
});

describe('engine errors as plain text', () => {
  it('isolates the peer’s name with U+2068 … U+2069, so a right-to-left name keeps the words in order', () => {
    expect(errorText('peer-silent', 'מחשב נייד')).toBe('\u2068מחשב נייד\u2069 stopped responding.');
    expect(errorText('peer-gone', 'Laptop 2')).toBe('\u2068Laptop 2\u2069 left before the sync finished.');
  });

  it('says “The other device” without marks when the peer has no name, and leaves nameless errors alone', () => {
    expect(errorText('peer-silent', null)).toBe('The other device stopped responding.');
    expect(errorText('relay-unreachable', 'Laptop')).not.toMatch(/[\u2068\u2069]/);
  });
});
