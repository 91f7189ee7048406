// Undo and redo of the teacher's own edits in the open document: one step
// per burst of typing in a field, one per row action (add, remove, move) or
// choice. Colleagues' changes never enter the stack, and a step is only
// undone while its field still holds what this teacher left there — a
// field a colleague has changed since is skipped rather than overwritten.

import type { Json } from './form';

export interface Step {
  key: string;
  before: Json;
  after: Json;
  /** Typing steps merge with the next keystroke in the same field. */
  typing: boolean;
  at: number;
}

/** Keystrokes in one field closer together than this are one step. */
export const BURST_MS = 1500;

/** Equal content: list rows are compared without their keys and ids, which the UI and the store add after the edit (a saved new row gains an id). */
const same = (a: Json, b: Json) => JSON.stringify(a, ignoreIds) === JSON.stringify(b, ignoreIds);
function ignoreIds(this: unknown, k: string, v: unknown) {
  return k === '_k' || k === 'id' ? undefined : v;
}

export class UndoStack {
  private done: Step[] = [];
  private undone: Step[] = [];

  constructor(private limit = 200) {}

  /** Records an edit the teacher made. */
  record(key: string, before: Json, after: Json, typing: boolean, now: number): void {
    if (same(before, after)) return;
    const last = this.done.at(-1);
    if (typing && last && last.typing && last.key === key && now - last.at < BURST_MS) {
      last.after = after;
      last.at = now;
    } else {
      this.done.push({ key, before, after, typing, at: now });
      if (this.done.length > this.limit) this.done.shift();
    }
    this.undone = [];
  }

  /** Ends the current typing burst, so the next keystroke starts a new step. */
  cut(): void {
    const last = this.done.at(-1);
    if (last) last.typing = false;
  }

  /**
   * The step to undo, given the fields' current values: the latest whose
   * field still holds what the step left. Steps over fields changed since
   * by someone else are dropped (and counted in `skipped`).
   */
  undo(current: (key: string) => Json): { step: Step | null; skipped: number } {
    let skipped = 0;
    while (this.done.length) {
      const step = this.done.pop() as Step;
      if (same(current(step.key), step.after)) {
        this.undone.push(step);
        return { step, skipped };
      }
      skipped += 1;
    }
    return { step: null, skipped };
  }

  redo(current: (key: string) => Json): { step: Step | null; skipped: number } {
    let skipped = 0;
    while (this.undone.length) {
      const step = this.undone.pop() as Step;
      if (same(current(step.key), step.before)) {
        this.done.push({ ...step, typing: false });
        return { step, skipped };
      }
      skipped += 1;
    }
    return { step: null, skipped };
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }
}

/** The undo shortcut a key press asks for: Ctrl/⌘+Z undoes, Ctrl/⌘+Shift+Z and Ctrl+Y redo. */
export function undoKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (k === 'y' && !e.shiftKey) return 'redo';
  return null;
}

/** A list with a removed row put back at its old place (by the row before it), keeping rows a colleague added or changed since. */
export function reinsertRow<R extends { _k: string; id?: string }>(rows: R[], row: R, before: R[]): R[] {
  if (rows.some((r) => r._k === row._k || (row.id && r.id === row.id))) return rows;
  const i = before.findIndex((r) => r._k === row._k);
  // Put it after the row that preceded it then, if that row is still there.
  for (let j = i - 1; j >= 0; j--) {
    const at = rows.findIndex((r) => r._k === before[j]._k);
    if (at >= 0) return [...rows.slice(0, at + 1), row, ...rows.slice(at + 1)];
  }
  return [row, ...rows];
}
