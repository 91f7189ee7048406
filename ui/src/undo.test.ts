import { describe, expect, it } from 'vitest';
import { UndoStack, reinsertRow, undoKey } from './undo';
import type { Json } from './form';

describe('undo and redo', () => {
  it('undoes a burst of typing in a field as one step, and redoes it', () => {
    const u = new UndoStack();
    const v: Record<string, Json> = { course: '' };
    const type = (key: string, value: Json, at: number) => {
      u.record(key, v[key] ?? null, value, true, at);
      v[key] = value;
    };
    type('course', '儿', 0);
    type('course', '儿科', 300);
    type('course', '儿科学', 600);
    // A pause longer than a burst starts a new step.
    type('course', '儿科学（一）', 5_000);
    const cur = (k: string) => v[k] ?? null;
    let r = u.undo(cur);
    expect(r.step).toMatchObject({ key: 'course', before: '儿科学' });
    v.course = r.step!.before;
    r = u.undo(cur);
    expect(r.step).toMatchObject({ key: 'course', before: '' });
    v.course = r.step!.before;
    expect(u.undo(cur).step).toBeNull();
    r = u.redo(cur);
    expect(r.step?.after).toBe('儿科学');
    v.course = r.step!.after;
    // A new edit clears what could be redone.
    type('chapter', '第九章', 9_000);
    expect(u.canRedo).toBe(false);
  });

  it('never undoes over a colleague’s change: the step is skipped and counted', () => {
    const u = new UndoStack();
    u.record('course', '', '儿科学', true, 0);
    u.record('chapter', '', '第九章', false, 100);
    // A colleague changed the chapter since (it arrived by sync).
    const v: Record<string, Json> = { course: '儿科学', chapter: '第十章' };
    const r = u.undo((k) => v[k] ?? null);
    expect(r.skipped).toBe(1);
    expect(r.step?.key).toBe('course');
  });

  it('treats row actions as one step each', () => {
    const u = new UndoStack();
    const a = [{ _k: 'a' }];
    const ab = [{ _k: 'a' }, { _k: 'b' }];
    u.record('process', a, ab, false, 0);
    u.record('process', ab, a, false, 10);
    const r = u.undo(() => a);
    expect(r.step?.before).toEqual(ab);
  });

  it('maps Ctrl/⌘+Z and Ctrl/⌘+Shift+Z (and Ctrl+Y)', () => {
    const k = (key: string, m: Partial<KeyboardEvent> = {}) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...m });
    expect(undoKey(k('z', { ctrlKey: true }))).toBe('undo');
    expect(undoKey(k('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(undoKey(k('y', { ctrlKey: true }))).toBe('redo');
    expect(undoKey(k('z'))).toBeNull();
    expect(undoKey(k('z', { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it('puts a removed row back after the row that preceded it, keeping rows added since', () => {
    const before = [{ _k: 'a' }, { _k: 'b', id: 'B' }, { _k: 'c' }];
    const now = [{ _k: 'a' }, { _k: 'c' }, { _k: 'd' }];
    expect(reinsertRow(now, before[1], before).map((r) => r._k)).toEqual(['a', 'b', 'c', 'd']);
    // The first row goes back first; a row already back is not doubled.
    expect(reinsertRow([{ _k: 'b' }], { _k: 'a' }, before).map((r) => r._k)).toEqual(['a', 'b']);
    expect(reinsertRow(before, before[1], before)).toBe(before);
  });
});

describe('undo of rows saved since', () => {
  it('still undoes a row added once the store has given it an id', () => {
    const u = new UndoStack();
    u.record('process', [{ _k: 'a', id: 'A', stage: '导入' }], [{ _k: 'a', id: 'A', stage: '导入' }, { _k: 'k2', stage: '' }], false, 0);
    const saved = [{ _k: 'a', id: 'A', stage: '导入' }, { _k: 'k2', id: 'B', stage: '' }];
    expect(u.undo(() => saved).step?.before).toEqual([{ _k: 'a', id: 'A', stage: '导入' }]);
  });
});
