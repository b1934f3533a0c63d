import { describe, expect, it } from 'vitest';
import { newIdentity } from '../../lib/crypto/identity';
import { addMember, adoptCircle } from '../../lib/circle/membership';
import { foundCircle, signEntry, validRoster, type Circle } from '../../lib/circle/roster';
import { newCircleSecret, circleRoom } from '../../lib/circle/circle-keys';
import { newDeviceId } from '../../lib/model/ids';

async function founded() {
  const id = newDeviceId();
  const identity = await newIdentity();
  const circle = await foundCircle({
    self: id,
    identity,
    name: 'Laptop',
    now: 1,
    secret: newCircleSecret(),
    circleId: crypto.randomUUID(),
  });
  return { id, identity, circle };
}

describe('circle roster', () => {
  it('counts an entry only when its signatures chain back to the founder', async () => {
    const f = await founded();
    const b = { id: newDeviceId(), identity: await newIdentity() };
    const withB = (await addMember(
      f.circle,
      f,
      { id: b.id, keys: b.identity.public, name: 'B' },
      2,
    )) as Circle;
    const c = { id: newDeviceId(), identity: await newIdentity() };
    const withC = (await addMember(withB, b, { id: c.id, keys: c.identity.public, name: 'C' }, 3)) as Circle;
    expect((await validRoster(withC.id, withC.founder, withC.members)).map((m) => m.name)).toEqual([
      'Laptop',
      'B',
      'C',
    ]);

    // A stranger signs itself in, or signs in a friend: neither counts.
    const s = { id: newDeviceId(), identity: await newIdentity() };
    const selfSigned = await signEntry(f.circle.id, s.identity, {
      id: s.id,
      keys: s.identity.public,
      name: 'Stranger',
      addedBy: s.id,
      addedAt: 4,
    });
    const byStranger = await signEntry(f.circle.id, s.identity, {
      id: newDeviceId(),
      keys: s.identity.public,
      name: 'Friend',
      addedBy: s.id,
      addedAt: 5,
    });
    // B's signature over an entry naming A as the adder does not verify under A's key.
    const forged = {
      ...(await signEntry(f.circle.id, b.identity, {
        id: s.id,
        keys: s.identity.public,
        name: 'Forged',
        addedBy: f.id,
        addedAt: 6,
      })),
    };
    const valid = await validRoster(withC.id, withC.founder, [
      ...withC.members,
      selfSigned,
      byStranger,
      forged,
    ]);
    expect(valid.map((m) => m.name)).toEqual(['Laptop', 'B', 'C']);
    // Order of arrival does not matter.
    const shuffled = await validRoster(withC.id, withC.founder, [...withC.members].reverse());
    expect(shuffled).toEqual(valid);
  });

  it('a device takes an offered circle only if it counts it in with its own keys', async () => {
    const f = await founded();
    const g = { id: newDeviceId(), identity: await newIdentity() };
    const other = await newIdentity();
    const withImpostor = (await addMember(
      f.circle,
      f,
      { id: g.id, keys: other.public, name: 'G' },
      2,
    )) as Circle;
    expect(await adoptCircle({ current: null, offered: withImpostor, from: f.id, self: g, now: 3 })).toEqual({
      kind: 'refused',
      why: 'not-a-member',
    });
    const withG = (await addMember(
      f.circle,
      f,
      { id: g.id, keys: g.identity.public, name: 'G' },
      2,
    )) as Circle;
    expect(await adoptCircle({ current: null, offered: withG, from: f.id, self: g, now: 3 })).toMatchObject({
      kind: 'moved',
      previous: null,
    });
  });

  it('derives a room and join key per epoch that share nothing with the secret', async () => {
    const f = await founded();
    const one = await circleRoom(f.circle);
    const two = await circleRoom({ ...f.circle, epoch: 2 });
    expect(one.roomId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(one.roomId).not.toBe(two.roomId);
    expect(Buffer.from(one.joinKey).equals(Buffer.from(two.joinKey))).toBe(false);
    expect(await circleRoom(f.circle)).toEqual(one);
  });
});
