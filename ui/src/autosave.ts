// Autosave: edits are collected into one patch of changed fields and sent
// after a short quiet time (one save per burst of typing, as the store
// wants), never two saves at once, and flushed at once when the editor
// closes or the window hides. Typing that never pauses is still saved every
// few seconds (`maxWaitMs` after the first unsaved change), so a power cut
// loses seconds at most. A failed save keeps its changes and retries.

import type { Json } from './form';

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'error';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type Patch = Record<string, Json>;

/** Every live autosaver, so closing the window can flush them all. */
const live = new Set<Autosaver>();

/** Saves everything any editor still holds; false if any of it could not be saved. */
export async function flushAll(): Promise<boolean> {
  const saved = await Promise.all([...live].map((a) => a.flush().then(() => !a.hasPending() && a.state !== 'error', () => false)));
  return saved.every(Boolean);
}

export class Autosaver {
  private pending: Patch = {};
  private timer: unknown = null;
  /** Fires `maxWaitMs` after the first change not yet being saved. */
  private maxTimer: unknown = null;
  private inFlight: Promise<void> | null = null;
  state: SaveState = 'saved';
  lastError: unknown = null;

  constructor(
    private save: (patch: Patch) => Promise<void>,
    private onState: (s: SaveState) => void,
    private delayMs = 800,
    private timers: Timers = realTimers,
    private retryMs = 3000,
    private maxWaitMs = 3000,
  ) {
    live.add(this);
  }

  /** Stops tracking this autosaver (after its editor closed and flushed). */
  dispose(): void {
    live.delete(this);
  }

  /** Records a changed field; later changes of the same field replace earlier ones. */
  change(key: string, value: Json): void {
    this.pending[key] = value;
    this.setState(this.inFlight ? 'saving' : 'unsaved');
    this.schedule(this.delayMs);
    if (this.maxTimer === null) {
      this.maxTimer = this.timers.set(() => {
        this.maxTimer = null;
        void this.flush();
      }, this.maxWaitMs);
    }
  }

  /** Whether a field has changes not yet saved (or being saved). */
  isDirty(key: string): boolean {
    return key in this.pending;
  }

  hasPending(): boolean {
    return Object.keys(this.pending).length > 0 || this.inFlight !== null;
  }

  /** Saves what is pending now and resolves when everything is saved (or a save failed). */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    if (this.maxTimer !== null) {
      this.timers.clear(this.maxTimer);
      this.maxTimer = null;
    }
    while (this.inFlight) await this.inFlight;
    if (Object.keys(this.pending).length === 0) return;
    const patch = this.pending;
    this.pending = {};
    this.setState('saving');
    this.inFlight = this.save(patch).then(
      () => {
        this.inFlight = null;
        this.lastError = null;
        this.setState(Object.keys(this.pending).length ? 'unsaved' : 'saved');
      },
      (e: unknown) => {
        this.inFlight = null;
        this.lastError = e;
        // Keep the failed changes, under any newer ones, for the retry.
        this.pending = { ...patch, ...this.pending };
        this.setState('error');
        this.schedule(this.retryMs);
      },
    );
    await this.inFlight;
    if (this.state === 'unsaved') this.schedule(this.delayMs);
  }

  /** Drops pending changes of a field, when it is replaced by a refused value's correction. */
  discard(key: string): void {
    delete this.pending[key];
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private setState(s: SaveState): void {
    if (s !== this.state) {
      this.state = s;
      this.onState(s);
    }
  }
}

/** Calls `fn` once `ms` after the last call. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number, timers: Timers = realTimers): (...a: A) => void {
  let h: unknown = null;
  return (...a: A) => {
    if (h !== null) timers.clear(h);
    h = timers.set(() => {
      h = null;
      fn(...a);
    }, ms);
  };
}
