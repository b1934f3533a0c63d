/**
 * Files between a page and the DB worker. Runtime messaging carries JSON only (Chrome) and a
 * 100,000-todo file does not belong in it; a BroadcastChannel carries Blobs and Files by structured
 * clone between same-origin contexts: the side panel and the worker of Chrome's offscreen document
 * or Firefox's background page (all the extension's origin), or the phone page and its own worker.
 * Each job has a random id; a page ignores replies to jobs it did not start.
 */
import { z } from 'zod';
import { FILTERS } from '../messages/todo-schema';
import { IMPORT_FORMATS, TARGET_FIELDS } from './import-parse';

export const FILE_CHANNEL = 'tt.files';

const blob = z.instanceof(Blob);
const mapping = z.object(
  Object.fromEntries(TARGET_FIELDS.map((f) => [f, z.number().int().min(0).nullable()])) as {
    [K in (typeof TARGET_FIELDS)[number]]: z.ZodNullable<z.ZodNumber>;
  },
);
const PASSPHRASE_MAX = 1024;

export const fileRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('backup.make'), passphrase: z.string().min(1).max(PASSPHRASE_MAX) }),
  z.object({ kind: z.literal('backup.restore'), file: blob, passphrase: z.string().max(PASSPHRASE_MAX) }),
  z.object({
    kind: z.literal('export'),
    format: z.enum(['json', 'csv']),
    filter: z.enum(FILTERS),
    search: z.string().max(500),
  }),
  z.object({
    kind: z.literal('import.preview'),
    file: blob,
    name: z.string().max(500),
    format: z.enum(IMPORT_FORMATS).optional(),
    mapping: mapping.optional(),
  }),
  z.object({
    kind: z.literal('import.commit'),
    file: blob,
    name: z.string().max(500),
    format: z.enum(IMPORT_FORMATS).optional(),
    mapping: mapping.optional(),
  }),
  z.object({ kind: z.literal('backup.status') }),
  z.object({ kind: z.literal('backup.dismiss') }),
]);
export type FileRequest = z.infer<typeof fileRequestSchema>;

export const toFileWorkerSchema = z.object({
  to: z.literal('worker'),
  job: z.string().max(64),
  request: fileRequestSchema,
});
export type ToFileWorker = z.infer<typeof toFileWorkerSchema>;

export const fromFileWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    to: z.literal('page'),
    job: z.string(),
    type: z.literal('progress'),
    done: z.number(),
    total: z.number(),
  }),
  z.object({ to: z.literal('page'), job: z.string(), type: z.literal('done'), result: z.unknown() }),
  z.object({
    to: z.literal('page'),
    job: z.string(),
    type: z.literal('failed'),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type FromFileWorker = z.infer<typeof fromFileWorkerSchema>;

/** The part of BroadcastChannel both ends use; tests pass an in-memory pair. */
export interface ChannelLike {
  postMessage(m: unknown): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<unknown>) => void): void;
  removeEventListener(type: 'message', fn: (e: MessageEvent<unknown>) => void): void;
}
