import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row } from '../../lib/db/sql';
import { createTodoWriter, rowToTodo } from '../../lib/db/todo-writes';
import type { WireTodo } from '../../lib/messages/todo-schema';
import type { DueDate } from '../../lib/model/due-date';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId, type TodoId } from '../../lib/model/ids';
import { editPatch, formOf, withRestored } from '../../lib/ui/todo-edit';

const todo: WireTodo = {
  id: '00000000-0000-4000-8000-000000000000-1-aaaaaaaa' as TodoId,
  title: 'Pay rent',
  description: 'Landlord',
  completed: false,
  priority: 'medium',
  due_date: '2026-12-05T09:30' as DueDate,
  device_id: '00000000-0000-4000-8000-000000000000' as DeviceId,
  created_at: 1,
  updated_at: 1,
  deleted: false,
};

describe('the editor sends only what changed', () => {
  it('sends only the title when only the title changed', () => {
    expect(editPatch(todo, { ...formOf(todo), title: 'Pay rent today' })).toEqual({
      ok: true,
      patch: { title: 'Pay rent today' },
    });
  });

  it('sends nothing when nothing changed, retyped spaces included', () => {
    expect(editPatch(todo, formOf(todo))).toEqual({ ok: true, patch: {} });
    expect(editPatch(todo, { ...formOf(todo), title: ' Pay rent ', description: 'Landlord\n' })).toEqual({
      ok: true,
      patch: {},
    });
  });

  it('sends the due date with its time, and null when the date is cleared', () => {
    const form = formOf(todo);
    expect(form).toMatchObject({ date: '2026-12-05', time: '09:30' });
    expect(editPatch(todo, { ...form, time: '' })).toEqual({
      ok: true,
      patch: { due_date: '2026-12-05' },
    });
    expect(editPatch(todo, { ...form, date: '2026-12-06' })).toEqual({
      ok: true,
      patch: { due_date: '2026-12-06T09:30' },
    });
    expect(editPatch(todo, { ...form, date: '', time: '' })).toEqual({ ok: true, patch: { due_date: null } });
  });

  it('sends priority and description changes, an emptied description as none', () => {
    expect(editPatch(todo, { ...formOf(todo), priority: 'high', description: '  ' })).toEqual({
      ok: true,
      patch: { priority: 'high', description: null },
    });
  });

  it('refuses a time without a date, and a day that does not exist', () => {
    expect(editPatch(todo, { ...formOf(todo), date: '' })).toEqual({
      ok: false,
      error: 'A due time needs a due date.',
    });
    expect(editPatch(todo, { ...formOf(todo), date: '2026-02-30' }).ok).toBe(false);
  });

  it('keeps a due date that synced in while the editor was open when only the title is saved', async () => {
    const sql = await openMemoryDb();
    let wall = 1_764_000_000_000;
    const here = newDeviceId();
    const there = newDeviceId();
    const writerOn = (d: DeviceId) =>
      createTodoWriter({ sql, deviceId: d, clock: createHybridClock(d, () => wall), now: () => wall });
    const created = writerOn(here).create({ title: 'Pay rent', priority: 'high' });
    if (!created.ok) throw new Error(created.error);
    const id = created.todo.id;
    const row = () => sql.get<Row>('SELECT * FROM todos WHERE id = ?', [id])!;

    // The editor opens here; meanwhile the other device's due date lands.
    const opened = rowToTodo(row());
    wall += 1000;
    expect(writerOn(there).update(id, { due_date: '2026-12-05T09:30' }).ok).toBe(true);
    const landed = row();

    wall += 1000;
    const edit = editPatch(opened, { ...formOf(opened), title: 'Pay rent today' });
    if (!edit.ok) throw new Error(edit.error);
    expect(writerOn(here).update(id, edit.patch).ok).toBe(true);
    const after = row();
    expect(after.title).toBe('Pay rent today');
    expect(after.title_hlc! > landed.title_hlc!).toBe(true);
    for (const f of ['description', 'completed', 'priority', 'due_date', 'deleted'])
      expect([f, after[f], after[`${f}_hlc`]]).toEqual([f, landed[f], landed[`${f}_hlc`]]);
  });
});

describe('the editor after a History restore', () => {
  it('shows the restored title and does not send it again, keeping what was typed elsewhere', () => {
    const typed = { ...formOf(todo), description: 'Landlord, by transfer' };
    const r = withRestored(todo, typed, { ...todo, title: 'Pay the rent' }, 'title');
    expect(r.form).toEqual({ ...typed, title: 'Pay the rent' });
    expect(editPatch(r.before, r.form)).toEqual({
      ok: true,
      patch: { description: 'Landlord, by transfer' },
    });
  });

  it('shows a restored due date in both the date and the time box', () => {
    const r = withRestored(
      todo,
      formOf(todo),
      { ...todo, due_date: '2026-11-30T18:00' as DueDate },
      'due_date',
    );
    expect([r.form.date, r.form.time]).toEqual(['2026-11-30', '18:00']);
    expect(editPatch(r.before, r.form)).toEqual({ ok: true, patch: {} });
  });

  it('does not write back the old value of a field that changed elsewhere meanwhile', () => {
    // The restore's answer carries a priority that synced in while the editor was open.
    const after = { ...todo, title: 'Pay the rent', priority: 'high' as const };
    const r = withRestored(todo, formOf(todo), after, 'title');
    expect(r.form.priority).toBe('medium');
    expect(editPatch(r.before, r.form)).toEqual({ ok: true, patch: {} });
  });

  it('leaves the fields alone after a restore of completion, which the editor does not show', () => {
    const form = formOf(todo);
    expect(withRestored(todo, form, { ...todo, completed: true }, 'completed')).toEqual({
      before: todo,
      form,
    });
  });
});
