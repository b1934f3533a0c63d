/** Wire shape of a todo's history (lib/db/todo-history.ts) between pages and the DB host. */
import { z } from 'zod';
import { SYNC_FIELDS } from '../model/todo';

export const historyEntrySchema = z.object({
  field: z.enum(SYNC_FIELDS),
  value: z.union([z.string(), z.boolean(), z.null()]),
  at: z.number(),
  deviceId: z.string(),
  deviceName: z.string().nullable(),
  self: z.boolean(),
  current: z.boolean(),
});
export type HistoryEntryWire = z.infer<typeof historyEntrySchema>;
export const historySchema = z.array(historyEntrySchema);
