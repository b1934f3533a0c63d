/**
 * The page's storage alert (lib/ui/health-state.ts): "not answering" goes when a request sent after it
 * succeeds, and only then; a storage failure stays until the database says it is ready.
 */
import { describe, expect, it } from 'vitest';
import { createHealthState } from '../../lib/ui/health-state';
import type { HostError } from '../../lib/messages/requests';

const NOT_ANSWERING: HostError = { code: 'unavailable', message: 'The database is not answering.' };
const FULL: HostError = { code: 'storage.full', message: 'There is no room left.' };
const BAD: HostError = { code: 'bad_answer', message: 'The database sent an unexpected answer.' };

function page() {
  let shown = '';
  const h = createHealthState((m) => (shown = m));
  /** One request through the watched client: numbered when sent, its answer recorded, then reported. */
  const ask = (error: HostError | null) => {
    const seq = h.sending();
    return () => {
      h.answered(seq, error);
      if (error) h.report(error);
    };
  };
  return { h, ask, shown: () => shown };
}

describe('the storage alert', () => {
  it('takes “not answering” away when a request sent after it succeeds', () => {
    const { ask, shown } = page();
    ask(NOT_ANSWERING)();
    expect(shown()).toBe(NOT_ANSWERING.message);
    ask(null)();
    expect(shown()).toBe('');
  });

  it('keeps it when the success was of a request sent before the failure', () => {
    const { ask, shown } = page();
    const early = ask(null);
    const failing = ask(NOT_ANSWERING);
    failing();
    early();
    expect(shown()).toBe(NOT_ANSWERING.message);
    ask(null)();
    expect(shown()).toBe('');
  });

  it('does not take away an answer the page could not read: a success elsewhere does not disprove it', () => {
    const { ask, shown } = page();
    ask(BAD)();
    expect(shown()).toBe(BAD.message);
    ask(null)();
    expect(shown()).toBe(BAD.message);
  });

  it('shows a full disk again once “not answering” is disproved, until the database is ready', () => {
    const { h, ask, shown } = page();
    ask(FULL)();
    ask(NOT_ANSWERING)();
    expect(shown()).toBe(NOT_ANSWERING.message);
    ask(null)();
    expect(shown()).toBe(FULL.message);
    h.health('ready', '');
    expect(shown()).toBe('');
  });

  it('leaves input errors to their field', () => {
    const { ask, shown } = page();
    ask({ code: 'invalid', message: 'Title is empty.' })();
    expect(shown()).toBe('');
  });
});
