/** Circle JOINs since protocol 5 leave the identity keys out: the roster entry names them. */
import { describe, expect, it } from 'vitest';
import { createCircleAdmission } from '../../lib/sync/circle-admission';
import { createPairingAdmission } from '../../lib/sync/admission';
import { joinSchema } from '../../lib/protocol/messages';
import type { RosterEntry } from '../../lib/circle/roster';
import type { DeviceId } from '../../lib/model/ids';

const SELF = '11111111-1111-4111-8111-111111111111' as DeviceId;
const PEER = '22222222-2222-4222-8222-222222222222' as DeviceId;
const keys = { sig: 'S'.repeat(43), dh: 'D'.repeat(43) };
const entry: RosterEntry = { id: PEER, keys, name: 'Phone', addedBy: SELF, addedAt: 0, sig: 'x'.repeat(86) };
const ours = 'o'.repeat(22);
const theirs = 't'.repeat(22);

const admission = () => createCircleAdmission({ self: SELF, nonce: ours, members: () => [entry] });

describe('circle admission', () => {
  it('admits a member whose JOIN has no keys, with the keys of its roster entry', () => {
    const d = admission().onJoin(PEER, { name: 'Phone', nonce: theirs, echo: ours, rh: '0'.repeat(16) });
    expect(d).toMatchObject({ kind: 'accept', peer: { party: { id: PEER, keys, nonce: theirs } } });
  });

  it('admits a JOIN that sends the keys of the roster entry', () => {
    const d = admission().onJoin(PEER, { name: 'Phone', keys, nonce: theirs, echo: ours });
    expect(d.kind).toBe('accept');
  });

  it('ignores a JOIN that sends other keys than the roster entry', () => {
    const other = { ...keys, dh: 'E'.repeat(43) };
    expect(admission().onJoin(PEER, { name: 'Phone', keys: other, nonce: theirs, echo: ours }).kind).toBe(
      'ignore',
    );
  });

  it('ignores a device that is not in the roster, keys or not', () => {
    const stranger = '33333333-3333-4333-8333-333333333333' as DeviceId;
    expect(
      admission().onJoin(stranger, { name: 'x', nonce: theirs, echo: ours, rh: '0'.repeat(16) }).kind,
    ).toBe('ignore');
  });

  it('is the only place a JOIN may leave its keys out: a pairing host ignores one, the schema wants rh', () => {
    const host = createPairingAdmission({
      self: SELF,
      hostId: SELF,
      maxGuests: 1,
      expiresAt: Infinity,
      nonce: ours,
    });
    const join = { name: 'Phone', nonce: theirs, echo: ours, rh: '0'.repeat(16) };
    expect(host.onJoin(PEER, join, 0).kind).toBe('ignore');
    expect(joinSchema.safeParse(join).success).toBe(true);
    expect(joinSchema.safeParse({ name: 'Phone', nonce: theirs }).success).toBe(false);
  });
});
