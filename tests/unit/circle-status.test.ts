/**
 * The sync status line and the Devices view's words (lib/ui/circle.svelte.ts): each starts with
 * "Synced", "Syncing", "Offline" or "Not synced", as issue 10's accessible contract says.
 */
import { describe, expect, it } from 'vitest';
import type { CircleMember, CircleState } from '../../lib/messages/circle-schema';
import {
  memberOrigin,
  memberOriginParts,
  removedParts,
  removedText,
  statusParts,
  statusText,
} from '../../lib/ui/circle.svelte';

const AT = Date.UTC(2026, 11, 2, 12);
const member = (over: Partial<CircleMember>): CircleMember => ({
  id: 'x',
  name: 'Phone',
  self: false,
  online: true,
  syncing: false,
  lastSync: null,
  pending: 0,
  addedAt: AT,
  kind: null,
  addedBy: null,
  ...over,
});
const on = (over: Partial<Extract<CircleState, { state: 'on' }>>, others: CircleMember[]): CircleState => ({
  state: 'on',
  connected: true,
  auto: true,
  members: [member({ id: 'me', name: 'Laptop', self: true }), ...others],
  ...over,
});

describe('sync status', () => {
  it('says what is true now, most urgent first', () => {
    expect(statusText({ state: 'none' })).toBe('Not synced: pair a device to sync this list');
    expect(statusText(on({}, []))).toBe('Not synced: no other device in this circle');
    expect(statusText(on({ connected: false }, [member({ pending: 2 })]))).toBe(
      'Offline — changes will sync later',
    );
    expect(statusText(on({}, [member({ syncing: true })]))).toBe('Syncing…');
    expect(statusText(on({}, [member({ pending: 3 })]))).toBe('Not synced: 3 changes not yet on Phone');
    expect(statusText(on({}, [member({})]))).toBe('Synced');
  });

  it('with manual sync, says so and what waits', () => {
    expect(statusText(on({ connected: false, auto: false }, [member({ pending: 1 })]))).toBe(
      'Not synced: 1 change not yet on Phone — sync is manual, use “Sync now” in Devices',
    );
    expect(statusText(on({ connected: false, auto: false }, [member({})]))).toMatch(
      /^Not synced: sync is manual/,
    );
    // During a "Sync now" the line is the usual one.
    expect(statusText(on({ connected: true, auto: false }, [member({})]))).toBe('Synced');
  });

  it('tells a removed device by whom and when', () => {
    const s: CircleState = { state: 'none', removed: { by: 'Laptop', at: AT } };
    expect(statusText(s)).toMatch(/^Not synced: this device was removed from your circle by Laptop on /);
    expect(removedText({ by: 'Laptop', at: AT })).toMatch(
      /^This device was removed from your circle by Laptop on .*2026/,
    );
  });

  it('describes a member by kind and who added it', () => {
    expect(memberOrigin(member({ kind: 'phone', addedBy: 'Laptop' }))).toMatch(
      /^Phone · added .* by Laptop$/,
    );
    expect(memberOrigin(member({ kind: null, addedBy: 'Phone' }))).toMatch(/^added /); // the founder added itself
  });

  it('keeps every device name in a part of its own, which the page isolates (<bdi>)', () => {
    const rtl = 'טלפון';
    const named = (parts: { text: string; name?: string }[]) => parts.filter((p) => p.name !== undefined);
    const cases = [
      statusParts(on({}, [member({ name: rtl, pending: 2 })])),
      statusParts(on({ connected: false, auto: false }, [member({ name: rtl, pending: 1 })])),
      statusParts(on({}, [member({ name: rtl, versionError: 'peer-outdated' })])),
      statusParts(on({}, [member({ name: rtl, versionError: 'self-outdated' })])),
      statusParts({ state: 'none', removed: { by: rtl, at: AT } }),
      removedParts({ by: rtl, at: AT }),
      memberOriginParts(member({ kind: 'chrome', addedBy: rtl })),
    ];
    for (const parts of cases) {
      expect(named(parts)).toEqual([{ text: '', name: rtl }]);
      for (const p of parts) if (p.name === undefined) expect(p.text).not.toContain(rtl);
    }
    expect(named(statusParts(on({}, [member({ name: rtl })])))).toEqual([]); // "Synced" names no one
  });
});
