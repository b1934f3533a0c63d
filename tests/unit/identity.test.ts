/**
 * A device's identity keys (issue 9, "Device identity"): made once per install, the private halves
 * usable only by this device and never written anywhere else: not in a frame, the engine's log or
 * events, an error, a backup or an export.
 */
import { describe, expect, it } from 'vitest';
import { openBackup } from '../../lib/backup/backup-file';
import { makeBackup } from '../../lib/backup/backup-jobs';
import { exportTodos } from '../../lib/backup/export-file';
import { fromBase64Url } from '../../lib/crypto/base64url';
import { deriveFrameKey, openFrame } from '../../lib/crypto/frame-crypto';
import type { StoredIdentity } from '../../lib/crypto/identity';
import { ensureIdentity } from '../../lib/db/identity-store';
import { getKv, setKv } from '../../lib/db/kv';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';
import { envelopeSchema } from '../../lib/protocol/envelope';
import { createMemoryRelay, type MemoryRelay } from '../../lib/sync/memory-transport';
import type { Frame, Transport } from '../../lib/sync/ports';
import { createNode, newSession, settle } from './sync-harness';

const T0 = 1_800_000_000_000;
const IDENTITY_KEY = 'identity.v1';
/** Argon2id at its minimum cost: the format is the same, the test fast. */
const FAST_BACKUP = { kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, segmentSize: 1024 };

const storedIdentity = (sql: Parameters<typeof getKv>[0]) =>
  JSON.parse(getKv(sql, IDENTITY_KEY) ?? 'null') as StoredIdentity;

/**
 * Every form the private keys could leak in: PKCS#8 as stored (base64url), and the 32-byte private
 * key inside it as base64url, base64 and hex.
 */
function secretForms(s: StoredIdentity): string[] {
  return [s.sigPriv, s.dhPriv].flatMap((pkcs8) => {
    const raw = Buffer.from(fromBase64Url(pkcs8)!.slice(-32));
    return [pkcs8, raw.toString('base64url'), raw.toString('base64'), raw.toString('hex')];
  });
}

function expectNoSecret(text: string, secrets: string[]) {
  for (const s of secrets) expect(text).not.toContain(s);
}

/** The memory relay, recording every frame a device hands its transport. */
function tapped(relay: MemoryRelay, frames: Frame[]): MemoryRelay {
  return new Proxy(relay, {
    get(target, prop, receiver) {
      if (prop !== 'transport') return Reflect.get(target, prop, receiver) as unknown;
      return (id: string): Transport => {
        const t = target.transport(id);
        return new Proxy(t, {
          get(inner, p) {
            if (p !== 'send') return Reflect.get(inner, p) as unknown;
            return (frame: Frame) => {
              frames.push(frame);
              return inner.send(frame);
            };
          },
        });
      };
    },
  });
}

describe('device identity keys', () => {
  it('are made once per install and the same keys are loaded afterwards', async () => {
    const sql = await openMemoryDb();
    const first = await ensureIdentity(sql);
    const again = await ensureIdentity(sql);
    expect(again.public).toEqual(first.public);
    expect(storedIdentity(sql)).toMatchObject({ sigPub: first.public.sig, dhPub: first.public.dh });
    expect(await ensureIdentity(await openMemoryDb())).not.toEqual(first.public);
  });

  it('load their private halves as keys that cannot be exported', async () => {
    const identity = await ensureIdentity(await openMemoryDb());
    await expect(crypto.subtle.exportKey('pkcs8', identity.signKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('pkcs8', identity.dhKey)).rejects.toThrow();
  });

  it('fail on a damaged stored identity with an error that quotes none of it', async () => {
    const sql = await openMemoryDb();
    await ensureIdentity(sql);
    const stored = storedIdentity(sql);
    const failure = (e: unknown) => e as Error;
    for (const damaged of [
      JSON.stringify(stored).slice(0, -2),
      JSON.stringify({ ...stored, sigPub: undefined }),
      JSON.stringify({ ...stored, dhPriv: stored.dhPriv.slice(0, -4) }),
    ]) {
      setKv(sql, IDENTITY_KEY, damaged);
      const error = await ensureIdentity(sql).then(() => null, failure);
      expect(error).toBeInstanceOf(Error);
      expectNoSecret(`${error?.message}\n${error?.stack}`, secretForms(stored));
    }
  });

  it('put no private key in a frame, the engine log or events, a backup or an export', async () => {
    const relay = createMemoryRelay();
    const frames: Frame[] = [];
    const time = { now: T0 };
    const hostId = newDeviceId();
    const session = newSession(hostId, T0 + 5 * 60_000);
    const sql = await openMemoryDb();
    const identity = await ensureIdentity(sql);
    const secrets = secretForms(storedIdentity(sql));
    const writer = createTodoWriter({
      sql,
      clock: createHybridClock(hostId, () => time.now),
      deviceId: hostId,
    });
    for (const title of ['Renew passport', 'Call the bank']) writer.create({ title });

    const host = await createNode({ id: hostId, relay: tapped(relay, frames), session, time, sql, identity });
    const guest = await createNode({ id: newDeviceId(), relay: tapped(relay, frames), session, time });
    await host.engine.start();
    await guest.engine.start();
    await settle(relay, [host, guest]);
    expect(guest.sql.get<{ n: number }>('SELECT count(*) AS n FROM todos')?.n).toBe(2);

    // Frames: the wire text, and every JOIN opened with the link key (the only frames a test can read).
    const linkKey = await deriveFrameKey(session.sessionKey, session.sessionId);
    let joins = 0;
    for (const frame of frames) {
      if (typeof frame !== 'string') {
        // A binary frame (PUSH, SYNC_DATA, SYNC_COMPLETE): its bytes as hex (a raw key) and as text.
        const bytes = Buffer.from(frame);
        expectNoSecret(`${bytes.toString('hex')}\n${bytes.toString('latin1')}`, secrets);
        continue;
      }
      expectNoSecret(frame, secrets);
      const env = envelopeSchema.parse(JSON.parse(frame));
      if (env.type !== 'JOIN' || env.from !== hostId) continue;
      const opened = await openFrame(linkKey, env);
      if (!opened.ok) throw new Error(opened.reason);
      expect((opened.payload as { keys: unknown }).keys).toEqual(identity.public);
      expectNoSecret(JSON.stringify(opened.payload), secrets);
      joins++;
    }
    expect(joins).toBeGreaterThan(0);

    expectNoSecret(host.logs.join('\n'), secrets);
    expectNoSecret(JSON.stringify(host.events), secrets);

    const backup = await makeBackup('correct horse battery staple', { sql, writer: FAST_BACKUP });
    const opened = await openBackup(backup.blob, 'correct horse battery staple');
    if (!opened.ok) throw new Error(opened.reason);
    const plain: Uint8Array[] = [];
    expect(await opened.read((bytes) => void plain.push(bytes.slice()))).toEqual({ ok: true });
    const content = Buffer.concat(plain).toString('utf8');
    expect(content).toContain('Renew passport');
    expectNoSecret(content, secrets);

    for (const kind of ['json', 'csv'] as const) {
      const exported = await (await exportTodos(kind, { filter: 'all', search: '' }, { sql })).blob.text();
      expect(exported).toContain('Call the bank');
      expectNoSecret(exported, secrets);
    }
  });
});
