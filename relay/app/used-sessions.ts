/**
 * Sessions this phone has joined. Pairing links are single-use; remembering the ids here lets a
 * reopened link (browser history, a second scan) say so plainly instead of waiting for a host that
 * no longer listens. Only random session ids are stored, never keys.
 */
import { z } from 'zod';

const KEY = 'tt.used-sessions';
const MAX = 50;
const listSchema = z.array(z.string().max(64)).max(MAX);

export interface UsedSessions {
  has(sessionId: string): boolean;
  add(sessionId: string): void;
}

export function createUsedSessions(storage: Pick<Storage, 'getItem' | 'setItem'>): UsedSessions {
  const read = (): string[] => {
    try {
      const parsed = listSchema.safeParse(JSON.parse(storage.getItem(KEY) ?? '[]'));
      return parsed.success ? parsed.data : [];
    } catch {
      return []; // unreadable storage or JSON: treat as nothing used
    }
  };
  return {
    has: (id) => read().includes(id),
    add(id) {
      const next = [id, ...read().filter((x) => x !== id)].slice(0, MAX);
      try {
        storage.setItem(KEY, JSON.stringify(next));
      } catch {
        // Private mode or a full quota: the single-use check falls back to the other device.
      }
    },
  };
}
