/** Wire shapes of todos and list queries between pages, background and the DB host. */
import { z } from 'zod';
import { isDeviceId, isTodoId, type DeviceId, type TodoId } from '../model/ids';
import { DESCRIPTION_MAX, PRIORITIES, TITLE_MAX } from '../model/todo';
import { DUE_DATE_RE, isDueDate, type DueDate } from '../model/due-date';
import { VIEWS } from '../model/views';

export const todoIdSchema = z
  .string()
  .refine(isTodoId, 'not a todo id')
  .transform((s) => s as TodoId);
export const deviceIdSchema = z
  .string()
  .refine(isDeviceId, 'not a device id')
  .transform((s) => s as DeviceId);
export const prioritySchema = z.enum(PRIORITIES);
/** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, floating local time, a real day and time (lib/model/due-date.ts). */
export const dueDateSchema = z
  .string()
  .regex(DUE_DATE_RE)
  .refine(isDueDate, 'not a calendar date')
  .transform((s) => s as DueDate);

export const todoSchema = z.object({
  id: todoIdSchema,
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  priority: prioritySchema,
  due_date: dueDateSchema.nullable(),
  device_id: deviceIdSchema,
  created_at: z.number().int(),
  updated_at: z.number().int(),
  deleted: z.boolean(),
});
export type WireTodo = z.infer<typeof todoSchema>;

export const FILTERS = ['all', 'active', 'completed'] as const;
export const SORTS = ['created', 'due', 'priority'] as const;
export type Filter = (typeof FILTERS)[number];
export type Sort = (typeof SORTS)[number];

/** Opaque keyset cursor: the sort key (a number, or due-date text) and id of the last row of the previous page. */
export const cursorSchema = z.object({
  key: z.union([z.number(), z.string().max(40), z.null()]),
  id: todoIdSchema,
});
export type Cursor = z.infer<typeof cursorSchema>;

export const PAGE_MAX = 200;

/** The page's local day and minute, `YYYY-MM-DDTHH:MM`, that the date views are decided against. */
export const nowSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
  .refine((s): boolean => isDueDate(s), 'not a local date and time');

export const pageQuerySchema = z.object({
  filter: z.enum(FILTERS),
  sort: z.enum(SORTS),
  search: z.string().max(TITLE_MAX),
  cursor: cursorSchema.nullable(),
  limit: z.number().int().min(1).max(PAGE_MAX),
  /**
   * Rows to skip, for a virtual list that jumps into the middle of the result (the scrollbar dragged
   * to the end). Only without a cursor; a cursor already says where to start.
   */
  offset: z.number().int().min(0).max(10_000_000).optional(),
  /**
   * A date view (lib/model/views.ts); absent means all. Any other view orders by due date with
   * completed todos last, whatever `sort` says, and needs `now`.
   */
  view: z.enum(VIEWS).optional(),
  now: nowSchema.optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const pageSchema = z.object({ todos: z.array(todoSchema), next: cursorSchema.nullable() });
export type Page = z.infer<typeof pageSchema>;

export const countsSchema = z.object({
  all: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
});
export type Counts = z.infer<typeof countsSchema>;

/**
 * Raw text limits are loose on the wire (the writer trims and refuses with a readable message);
 * this cap only stops absurd payloads before they reach SQLite.
 */
const WIRE_TEXT_MAX = DESCRIPTION_MAX * 4;

export const createInputSchema = z.object({
  title: z.string().max(WIRE_TEXT_MAX),
  description: z.string().max(WIRE_TEXT_MAX).nullable().optional(),
  priority: prioritySchema.optional(),
  due_date: dueDateSchema.nullable().optional(),
});
export type CreateInput = z.infer<typeof createInputSchema>;

export const patchSchema = z
  .object({
    title: z.string().max(WIRE_TEXT_MAX),
    description: z.string().max(WIRE_TEXT_MAX).nullable(),
    completed: z.boolean(),
    priority: prioritySchema,
    due_date: dueDateSchema.nullable(),
  })
  .partial();
export type TodoPatch = z.infer<typeof patchSchema>;
