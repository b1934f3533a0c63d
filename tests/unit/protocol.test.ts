import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import {
  BINARY_MESSAGE_TYPES,
  envelopeSchema,
  inboundFrameSchema,
  PROTOCOL_VERSION,
  type DeviceMessageType,
} from '../../lib/protocol/envelope';
import { parsePayload, payloadSchemas } from '../../lib/protocol/messages';
import { BINARY_ENVELOPE_ERRORS, encodeBinaryEnvelope } from '../../lib/protocol/binary-envelope';
import { fromWireRow, toWireRow } from '../../lib/protocol/wire-row';
import type { SyncRow } from '../../lib/model/merge';
import { encodeHlc } from '../../lib/model/hlc';
import type { DeviceId, TodoId } from '../../lib/model/ids';
import type { DueDate } from '../../lib/model/due-date';

const A = '11111111-1111-4111-8111-111111111111' as DeviceId;
const B = '22222222-2222-4222-8222-222222222222' as DeviceId;
const sA = encodeHlc({ wall: 1_700_000_000_000, counter: 0, deviceId: A });
const sB = encodeHlc({ wall: 1_700_000_000_500, counter: 2, deviceId: B });
const id = `${A}-1700000000000-abcdefgh` as TodoId;
const row = {
  id,
  c: 1_700_000_000_000,
  f: ['Buy milk', null, false, 'medium', null, false],
  s: [sA],
  h: '000000',
};

const KEY = 'A'.repeat(43);
const keys = { sig: KEY, dh: 'B'.repeat(43) };
const nonce = 'n'.repeat(22);
const vouched = { id: B, name: 'Phone', keys, nonce };
const entry = { id: A, keys, name: 'Laptop', addedBy: A, addedAt: 1_700_000_000_000, sig: 's'.repeat(86) };
const circle = { id: B, founder: A, epoch: 1, secret: 'S'.repeat(43), members: [entry] };
const removal = { id: B, entry: 'e'.repeat(86), name: 'Old phone', by: A, at: 1_700_000_000_000 };
const record = {
  epoch: 2,
  by: A,
  at: 1_700_000_000_000,
  members: [entry],
  removed: [removal],
  check: 'c'.repeat(22),
  wraps: { [B]: 'w'.repeat(80) },
  sig: 'r'.repeat(86),
};
/** A SYNC_DATA payload whose one row is due `due`. */
const dueRow = (due: unknown) => ({
  stream: 'abcdef12',
  seq: 0,
  total: 1,
  rows: [{ ...row, f: ['a', null, false, 'medium', due, false] }],
});

const table: Record<DeviceMessageType, { accepts: [string, unknown][]; rejects: [string, unknown][] }> = {
  JOIN: {
    accepts: [
      ['a name, identity keys and a nonce', { name: 'Chrome at work', keys, nonce }],
      ['a circle JOIN with an echo and a roster', { name: 'x', keys, nonce, echo: nonce, roster: [entry] }],
    ],
    rejects: [
      ['a missing name', { keys, nonce }],
      ['no identity keys', { name: 'x', nonce }],
      ['a key that is not 32 bytes', { name: 'x', keys: { ...keys, dh: 'B'.repeat(42) }, nonce }],
      ['a short nonce', { name: 'x', keys, nonce: 'n'.repeat(21) }],
      ['an extra field', { name: 'x', keys, nonce, admin: true }],
      ['a name over 100 characters', { name: 'x'.repeat(101), keys, nonce }],
    ],
  },
  METADATA_EXCHANGE: {
    accepts: [
      [
        'a vector of stamps and a vouched peer',
        { name: 'a', vector: [sA, sB], reply: true, peers: [vouched] },
      ],
      ['an empty vector', { name: 'a', vector: [], reply: false, peers: [] }],
    ],
    rejects: [
      ['two stamps of one device', { name: 'a', vector: [sA, sA], reply: false, peers: [] }],
      ['a stamp that is not an HLC', { name: 'a', vector: ['yesterday'], reply: false, peers: [] }],
      [
        'a vouched peer without keys',
        { name: 'a', vector: [], reply: false, peers: [{ id: B, name: 'x', nonce }] },
      ],
      ['a bare device id as a peer', { name: 'a', vector: [], reply: false, peers: [B] }],
      [
        'more vouched peers than a session holds',
        { name: 'a', vector: [], reply: false, peers: Array.from({ length: 9 }, () => vouched) },
      ],
      ['a missing reply flag', { name: 'a', vector: [], peers: [] }],
    ],
  },
  REQUEST_SYNC: {
    accepts: [['a vector', { vector: [sB] }]],
    rejects: [
      ['a vector of ids', { vector: [A] }],
      ['no vector', {}],
    ],
  },
  SYNC_DATA: {
    accepts: [
      ['a batch of rows', { stream: 'abcdef12', seq: 0, total: 1, rows: [row] }],
      [
        'a row with two stamps',
        { stream: 'abcdef12', seq: 1, total: 1, rows: [{ ...row, s: [sA, sB], h: '010000' }] },
      ],
      ['a due date', dueRow('2026-12-05')],
      ['a due date and time', dueRow('2026-12-05T09:30')],
      ['a leap day', dueRow('2028-02-29')],
      ['the last minute of a day', dueRow('2026-12-31T23:59')],
    ],
    rejects: [
      [
        'a stamp index past the stamps',
        { stream: 'abcdef12', seq: 0, total: 1, rows: [{ ...row, h: '000001' }] },
      ],
      [
        'an empty title',
        {
          stream: 'abcdef12',
          seq: 0,
          total: 1,
          rows: [{ ...row, f: ['', null, false, 'medium', null, false] }],
        },
      ],
      [
        'an unknown priority',
        {
          stream: 'abcdef12',
          seq: 0,
          total: 1,
          rows: [{ ...row, f: ['a', null, false, 'urgent', null, false] }],
        },
      ],
      ['a malformed todo id', { stream: 'abcdef12', seq: 0, total: 1, rows: [{ ...row, id: 'todo-1' }] }],
      ['a due date in milliseconds (protocol v1)', dueRow(1_764_889_200_000)],
      ['a due date with a zone', dueRow('2026-12-05T09:30Z')],
      ['a due date with an offset', dueRow('2026-12-05T09:30+01:00')],
      ['a due time with seconds', dueRow('2026-12-05T09:30:00')],
      ['a due date without leading zeros', dueRow('2026-2-5')],
      ['a day that does not exist (30 February)', dueRow('2026-02-30')],
      ['29 February outside a leap year', dueRow('2100-02-29')],
      ['month 13', dueRow('2026-13-01')],
      ['day 00', dueRow('2026-12-00')],
      ['hour 24', dueRow('2026-12-05T24:00')],
      ['minute 60', dueRow('2026-12-05T09:60')],
      ['year 0', dueRow('0000-01-01')],
      ['a time without a date', dueRow('09:30')],
      ['an empty due date', dueRow('')],
      ['a fractional seq', { stream: 'abcdef12', seq: 0.5, total: 1, rows: [] }],
      ['a bad stream id', { stream: 'ABC', seq: 0, total: 1, rows: [] }],
    ],
  },
  SYNC_COMPLETE: {
    accepts: [
      ['final rows and a vector', { stream: 'abcdef12', seq: 3, total: 9, rows: [row], vector: [sA] }],
    ],
    rejects: [['a missing vector', { stream: 'abcdef12', seq: 3, total: 9, rows: [] }]],
  },
  PUSH: {
    accepts: [
      ['one changed row', { rows: [row], since: sA }],
      ['64 rows', { rows: Array.from({ length: 64 }, () => row), since: sA }],
    ],
    rejects: [
      ['no rows', { rows: [], since: sA }],
      ['more rows than a push may carry', { rows: Array.from({ length: 65 }, () => row), since: sA }],
      ['a malformed row', { rows: [{ ...row, h: '000009' }], since: sA }],
      ['no previous stamp', { rows: [row] }],
      ['a previous stamp that is not one', { rows: [row], since: 'yesterday' }],
      ['a vector', { rows: [row], since: sA, vector: [sA] }],
    ],
  },
  SYNC_ACK: {
    accepts: [['counts for a stream', { stream: 'abcdef12', applied: 10, held: 0 }]],
    rejects: [
      ['a negative count', { stream: 'abcdef12', applied: -1, held: 0 }],
      ['no stream', { applied: 1, held: 0 }],
    ],
  },
  ERROR: {
    accepts: [
      ['a link refusal', { code: 'LINK_USED' }],
      ['a failed apply naming its stream', { code: 'APPLY_FAILED', stream: 'abcdef12' }],
    ],
    rejects: [
      ['an unknown code', { code: 'NOPE' }],
      ['free text (codes only, the UI words them)', { code: 'LINK_USED', message: 'hi' }],
    ],
  },
  CIRCLE: {
    accepts: [['a circle with a signed member', { circle }]],
    rejects: [
      ['no members', { circle: { ...circle, members: [] } }],
      ['a secret that is not 32 bytes', { circle: { ...circle, secret: 'S'.repeat(42) } }],
      ['an entry without a signature', { circle: { ...circle, members: [{ ...entry, sig: undefined }] } }],
      ['epoch 0', { circle: { ...circle, epoch: 0 } }],
      ['more than 32 members', { circle: { ...circle, members: Array.from({ length: 33 }, () => entry) } }],
      [
        'an epoch-2 circle whose record is epoch 1',
        { circle: { ...circle, epoch: 2, base: { ...record, epoch: 1 } } },
      ],
    ],
  },
  EPOCH: {
    accepts: [
      ['a signed record with a wrap per member', { record, roster: [entry] }],
      ["a record and the sender's own wrap", { record, roster: [entry], wrap: 'w'.repeat(80) }],
    ],
    rejects: [
      ['a record with no removal', { record: { ...record, removed: [] }, roster: [] }],
      ['a wrap of the wrong length', { record: { ...record, wraps: { [B]: 'w'.repeat(79) } }, roster: [] }],
      [
        'a wrap keyed by something other than a device id',
        { record: { ...record, wraps: { x: 'w'.repeat(80) } }, roster: [] },
      ],
      [
        'a removal without its entry',
        { record: { ...record, removed: [{ ...removal, entry: undefined }] }, roster: [] },
      ],
      ['a record without a signature', { record: { ...record, sig: undefined }, roster: [] }],
    ],
  },
};

describe('protocol payload validation', () => {
  for (const [type, cases] of Object.entries(table) as [
    DeviceMessageType,
    (typeof table)[DeviceMessageType],
  ][]) {
    for (const [what, payload] of cases.accepts) {
      it(`${type} accepts ${what}`, () => expect(parsePayload(type, payload).ok).toBe(true));
    }
    for (const [what, payload] of cases.rejects) {
      it(`${type} rejects ${what}`, () => expect(parsePayload(type, payload).ok).toBe(false));
    }
  }
  it('rejects a payload valid for another type', () => {
    expect(parsePayload('SYNC_COMPLETE', { stream: 'abcdef12', seq: 0, total: 1, rows: [] }).ok).toBe(false);
  });
});

describe('wire rows', () => {
  it('round-trip through the compact form, sharing equal stamps', () => {
    const r: SyncRow = {
      id,
      device_id: A,
      created_at: 5,
      title: 't',
      description: 'd',
      completed: true,
      priority: 'high',
      due_date: '2026-12-05T09:30' as DueDate,
      deleted: false,
      hlc: { title: sA, description: sA, completed: sB, priority: sA, due_date: sA, deleted: sB },
    };
    const w = toWireRow(r);
    expect(w.s).toEqual([sA, sB]);
    expect(w.h).toBe('001001');
    const parsed = parsePayload('SYNC_DATA', { stream: 'abcdef12', seq: 0, total: 1, rows: [w] });
    expect(parsed.ok && fromWireRow(parsed.value.rows[0]!)).toEqual(r);
  });
});

describe('wire shapes', () => {
  const shapes = {
    version: PROTOCOL_VERSION,
    envelope: z.toJSONSchema(envelopeSchema, { io: 'input' }),
    inbound: z.toJSONSchema(inboundFrameSchema, { io: 'input' }),
    payloads: Object.fromEntries(
      Object.entries(payloadSchemas).map(([t, s]) => [t, z.toJSONSchema(s, { io: 'input' })]),
    ),
    // Since v6: the binary envelope's layout, as the bytes of one frame and the refusal codes.
    binaryEnvelope: {
      sample: [
        ...encodeBinaryEnvelope({
          v: PROTOCOL_VERSION,
          type: 'PUSH',
          from: A,
          to: B,
          c: 300,
          n: new Uint8Array(12).fill(0x4e),
          ct: new Uint8Array(16).fill(0xc7),
        }),
      ]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join(''),
      errors: BINARY_ENVELOPE_ERRORS,
      // Since v7: the types that travel only as binary frames.
      types: BINARY_MESSAGE_TYPES,
    },
  };
  const file = new URL(`../fixtures/protocol-v${PROTOCOL_VERSION}.json`, import.meta.url);

  it('match the snapshot of this protocol version (bump PROTOCOL_VERSION to change them)', () => {
    // A new version writes its snapshot once; an existing version's snapshot is never rewritten.
    if (!existsSync(file) && process.env.WRITE_PROTOCOL_FIXTURE === '1')
      writeFileSync(file, JSON.stringify(shapes, null, 2) + '\n');
    expect(
      existsSync(file),
      `missing ${file.pathname}; run with WRITE_PROTOCOL_FIXTURE=1 after bumping the version`,
    ).toBe(true);
    expect(shapes).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
