/** Wire shapes of "Recently deleted" (lib/db/trash.ts) between pages and the DB host. */
import { z } from 'zod';
import { todoSchema } from './todo-schema';
import { TITLE_MAX } from '../model/todo';

export const TRASH_PAGE_MAX = 200;

export const trashListSchema = z.object({
  search: z.string().max(TITLE_MAX),
  limit: z.number().int().min(1).max(TRASH_PAGE_MAX),
});

export const trashPageSchema = z.object({
  items: z.array(z.object({ todo: todoSchema, deletedAt: z.number() })),
  total: z.number().int(),
});
export type TrashPage = z.infer<typeof trashPageSchema>;
export type TrashEntry = TrashPage['items'][number];
