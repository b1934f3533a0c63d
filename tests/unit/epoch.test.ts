/**
 * Epoch records (lib/circle/epoch.ts): what a removal sends, to whom, and what a member accepts.
 */
import { describe, expect, it } from 'vitest';
import { newCircleSecret } from '../../lib/circle/circle-keys';
import {
  judgeEpoch,
  nextEpoch,
  recordBytes,
  supersedes,
  unwrapSecret,
  wrapSecret,
  type EpochRecord,
} from '../../lib/circle/epoch';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity, sign, type DeviceIdentity } from '../../lib/crypto/identity';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';

interface Dev {
  id: DeviceId;
  identity: DeviceIdentity;
}
const dev = async (): Promise<Dev> => ({ id: newDeviceId(), identity: await newIdentity() });

async function circleOf(devs: Dev[]): Promise<Circle> {
  const [a] = devs;
  let c = await foundCircle({
    self: a!.id,
    identity: a!.identity,
    name: 'A',
    now: 1,
    secret: newCircleSecret(),
    circleId: crypto.randomUUID(),
  });
  for (const [i, d] of devs.slice(1).entries())
    c = (await addMember(c, a!, { id: d.id, keys: d.identity.public, name: `D${i}` }, 2 + i)) as Circle;
  return c;
}

async function removal(circle: Circle, by: Dev, target: Dev) {
  const r = await nextEpoch({ circle, self: by, targets: [target.id], now: 100, secret: newCircleSecret() });
  if (!('circle' in r)) throw new Error(r.error);
  return r.circle;
}

describe('epoch records', () => {
  it('wrap the new secret for every remaining member and for nobody else', async () => {
    const [a, b, c] = await Promise.all([dev(), dev(), dev()]);
    const circle = await circleOf([a, b, c]);
    const next = await removal(circle, a, c);
    const record = next.base!;
    expect(Object.keys(record.wraps)).toEqual([b.id]);
    expect(await unwrapSecret(b, a.identity.public, circle.id, 2, record.wraps[b.id]!)).toBe(next.secret);
    // C holds B's wrap bytes (say, from a wiretap of an old room): they open for nobody but B.
    expect(await unwrapSecret(c, a.identity.public, circle.id, 2, record.wraps[b.id]!)).toBeNull();
    expect(JSON.stringify(record)).not.toContain(next.secret);
  });

  it('a member moves; the removed device learns only that it was removed', async () => {
    const [a, b, c] = await Promise.all([dev(), dev(), dev()]);
    const circle = await circleOf([a, b, c]);
    const next = await removal(circle, a, c);
    const from = { id: a.id, keys: a.identity.public };
    const forB = await judgeEpoch({ circle, self: b, record: next.base!, roster: [], from });
    expect(forB).toMatchObject({ kind: 'move', circle: { epoch: 2, secret: next.secret } });
    const forC = await judgeEpoch({ circle, self: c, record: next.base!, roster: [], from });
    expect(forC).toMatchObject({ kind: 'removed', removal: { id: c.id, by: a.id } });
  });

  it("refuses a tampered record, a stranger's record, and a secret that does not match", async () => {
    const [a, b, c] = await Promise.all([dev(), dev(), dev()]);
    const stranger = await dev();
    const circle = await circleOf([a, b, c]);
    const next = await removal(circle, a, c);
    const from = { id: a.id, keys: a.identity.public };
    const judge = (record: EpochRecord, f = from) =>
      judgeEpoch({ circle, self: b, record, roster: [], from: f });
    expect(await judge({ ...next.base!, at: 101 })).toEqual({ kind: 'refused', why: 'bad-signature' });

    const foreign = await circleOf([stranger, b]);
    const theirs = await removal({ ...foreign, id: circle.id }, stranger, b);
    expect(await judge(theirs.base!, { id: stranger.id, keys: stranger.identity.public })).toMatchObject({
      kind: 'refused',
    });

    // A record whose wrap for B holds another secret than its check names.
    const wrongWrap = await wrapSecret(
      a.identity,
      { id: b.id, keys: b.identity.public },
      circle.id,
      2,
      newCircleSecret(),
    );
    const bad = await nextEpoch({ circle, self: a, targets: [c.id], now: 100, secret: next.secret });
    if (!('circle' in bad)) throw new Error('no epoch');
    const forged = { ...bad.circle.base!, wraps: { [b.id]: wrongWrap! } };
    expect(await judge(forged)).toEqual({ kind: 'refused', why: 'bad-signature' });
    // Even signed by its maker, a wrap that does not derive the record's check is refused.
    const { sig: _sig, ...unsigned } = forged;
    void _sig;
    const resigned = { ...forged, sig: await sign(a.identity, recordBytes(circle.id, unsigned)) };
    expect(await judge(resigned)).toEqual({ kind: 'refused', why: 'bad-secret' });
  });

  it('orders records: a higher epoch wins, then the lower signature', async () => {
    const [a, b, c, d] = await Promise.all([dev(), dev(), dev(), dev()]);
    const circle = await circleOf([a, b, c, d]);
    const x = (await removal(circle, a, c)).base!;
    const y = (await removal(circle, b, d)).base!;
    expect(supersedes(x, undefined)).toBe(true);
    expect(supersedes(x, y)).toBe(x.sig < y.sig);
    expect(supersedes(y, x)).toBe(y.sig < x.sig);
    const later = (await removal(await removal(circle, a, c), a, d)).base!;
    expect(later.epoch).toBe(3);
    expect(supersedes(later, x) && supersedes(later, y)).toBe(true);
    expect(later.removed.map((r) => r.id)).toEqual([c.id, d.id]);
  });
});
