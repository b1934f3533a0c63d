/** What each file job answers, validated where the page receives it (file-channel.ts). */
import { z } from 'zod';
import { IMPORT_FORMATS, TARGET_FIELDS } from './import-parse';

const count = z.number().int().min(0);

export const fileOutSchema = z.object({ blob: z.instanceof(Blob), name: z.string(), todos: count });
export type FileOut = z.infer<typeof fileOutSchema>;

export const BACKUP_REASONS = [
  'not-a-backup',
  'newer-version',
  'truncated',
  'tampered',
  'wrong-passphrase',
  'invalid-content',
] as const;
export type RestoreReason = (typeof BACKUP_REASONS)[number];

export const restoreOutSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    rows: count,
    added: count,
    changed: count,
    unchanged: count,
    skipped: count,
  }),
  z.object({ ok: z.literal(false), reason: z.enum(BACKUP_REASONS) }),
]);
export type RestoreOut = z.infer<typeof restoreOutSchema>;

export const IMPORT_PROBLEMS = [
  'empty',
  'not-todo-tasker-json',
  'newer-version',
  'no-title-column',
  'too-many-rows',
  'too-large',
] as const;

const mappingSchema = z.object(
  Object.fromEntries(TARGET_FIELDS.map((f) => [f, z.number().int().nullable()])) as {
    [K in (typeof TARGET_FIELDS)[number]]: z.ZodNullable<z.ZodNumber>;
  },
);

const candidateSchema = z.object({
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  priority: z.enum(['low', 'medium', 'high']),
  due_date: z.string().nullable(),
  created_at: z.number().nullable(),
});

export const importOutSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    format: z.enum(IMPORT_FORMATS),
    columns: z.array(z.string()),
    mapping: mappingSchema.nullable(),
    total: count,
    invalid: count,
    undatedDue: count,
    sample: z.array(candidateSchema).optional(),
    added: count.optional(),
    skipped: count.optional(),
  }),
  z.object({ ok: z.literal(false), problem: z.enum(IMPORT_PROBLEMS) }),
]);
export type ImportOut = z.infer<typeof importOutSchema>;

export const backupStatusSchema = z.object({
  lastBackupAt: z.number().nullable(),
  otherDevices: count,
  remind: z.boolean(),
});
export type BackupStatusOut = z.infer<typeof backupStatusSchema>;
