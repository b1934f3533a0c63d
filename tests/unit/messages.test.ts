import { describe, expect, it } from 'vitest';
import { hostFrameSchema, pageEventSchema } from '../../lib/messages/envelopes';
import { parseResponse, requestSchema } from '../../lib/messages/requests';
import { fromWorkerSchema } from '../../lib/messages/worker-frames';

const DEVICE = '0b5c5e2a-3b4c-4d5e-8f60-718293a4b5c6';
const ID = `${DEVICE}-1764000000000-abcd1234`;
const todo = {
  id: ID,
  title: 'x',
  description: null,
  completed: false,
  priority: 'medium',
  due_date: null,
  device_id: DEVICE,
  created_at: 1,
  updated_at: 1,
  deleted: false,
};

describe('request union', () => {
  it.each([
    { kind: 'todos.create', input: { title: 'Buy milk' } },
    { kind: 'todos.update', id: ID, patch: { completed: true, due_date: null } },
    { kind: 'todos.remove', id: ID },
    {
      kind: 'todos.page',
      query: { filter: 'active', sort: 'due', search: '', cursor: { key: 5, id: ID }, limit: 100 },
    },
    { kind: 'todos.counts', search: 'milk' },
    { kind: 'db.status' },
    { kind: 'dev.seed', count: 10_000 },
    { kind: 'sync.pair' },
    { kind: 'sync.pair', maxGuests: 1 },
    { kind: 'sync.pair', maxGuests: 4 },
  ])('accepts $kind', (req) => {
    expect(requestSchema.safeParse(req).success).toBe(true);
  });

  it.each([
    ['an unknown kind', { kind: 'todos.drop' }],
    ['a malformed todo id', { kind: 'todos.remove', id: 'abc' }],
    [
      'a page larger than the cap',
      {
        kind: 'todos.page',
        query: { filter: 'all', sort: 'created', search: '', cursor: null, limit: 10_000 },
      },
    ],
    [
      'an unknown filter',
      { kind: 'todos.page', query: { filter: 'done', sort: 'created', search: '', cursor: null, limit: 10 } },
    ],
    ['a priority outside low/medium/high', { kind: 'todos.update', id: ID, patch: { priority: 'urgent' } }],
    ['a title that is not text', { kind: 'todos.create', input: { title: 42 } }],
    ['an absurd seed', { kind: 'dev.seed', count: 10_000_000 }],
    ['a link for no device', { kind: 'sync.pair', maxGuests: 0 }],
    ['a link for more than four devices', { kind: 'sync.pair', maxGuests: 5 }],
    ['a fractional device count', { kind: 'sync.pair', maxGuests: 1.5 }],
    ['a device count given as text', { kind: 'sync.pair', maxGuests: '2' }],
  ])('rejects %s', (_name, req) => {
    expect(requestSchema.safeParse(req).success).toBe(false);
  });
});

describe('responses', () => {
  it('accepts a well-formed answer for its kind', () => {
    expect(parseResponse('todos.create', { ok: true, data: todo })).toEqual({ ok: true, data: todo });
  });

  it('turns an answer of the wrong shape into an error rather than trusting it', () => {
    const r = parseResponse('todos.create', { ok: true, data: { ...todo, completed: 'yes' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_answer' } });
  });

  it('passes a storage error through with its code', () => {
    const r = parseResponse('todos.create', { ok: false, error: { code: 'storage.full', message: 'full' } });
    expect(r).toEqual({ ok: false, error: { code: 'storage.full', message: 'full' } });
  });

  it('rejects an error code it does not know', () => {
    expect(parseResponse('db.status', { ok: false, error: { code: 'boom', message: '' } }).ok).toBe(false);
  });
});

describe('events and frames', () => {
  it('accepts a change event on the page channel', () => {
    expect(
      pageEventSchema.safeParse({
        channel: 'tt.event',
        event: { kind: 'todos.changed', ids: [ID], op: 'create' },
      }).success,
    ).toBe(true);
  });

  it('rejects a change event naming a malformed id', () => {
    expect(
      pageEventSchema.safeParse({
        channel: 'tt.event',
        event: { kind: 'todos.changed', ids: ['<b>'], op: 'create' },
      }).success,
    ).toBe(false);
  });

  it('accepts a sync state listing each device of the session', () => {
    const devices = [
      { id: DEVICE, name: 'Chrome on Linux · ab12', status: 'success', progress: 1 },
      { id: ID, name: 'Chrome on Linux · cd34', status: 'syncing', progress: 0.5 },
    ];
    const state = { phase: 'waiting', role: 'host', devices };
    expect(
      pageEventSchema.safeParse({ channel: 'tt.event', event: { kind: 'sync.state', state } }).success,
    ).toBe(true);
    expect(parseResponse('sync.status', { ok: true, data: state })).toEqual({ ok: true, data: state });
  });

  it.each([
    ['an unknown status', { id: DEVICE, name: 'x', status: 'gone', progress: 0 }],
    ['progress above 1', { id: DEVICE, name: 'x', status: 'syncing', progress: 2 }],
  ])('rejects a sync state whose device has %s', (_name, device) => {
    const state = { phase: 'waiting', role: 'host', devices: [device] };
    expect(parseResponse('sync.status', { ok: true, data: state }).ok).toBe(false);
  });

  it('rejects a host request frame carrying an invalid request', () => {
    expect(
      hostFrameSchema.safeParse({ type: 'request', id: 1, request: { kind: 'todos.remove', id: 1 } }).success,
    ).toBe(false);
  });

  it('accepts the worker ready frame and rejects an unknown one', () => {
    expect(fromWorkerSchema.safeParse({ type: 'ready', openMs: 12 }).success).toBe(true);
    expect(fromWorkerSchema.safeParse({ type: 'hello' }).success).toBe(false);
  });
});
