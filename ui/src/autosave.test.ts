import { describe, expect, it } from 'vitest';
import { Autosaver, debounce, flushAll, type Patch, type SaveState, type Timers } from './autosave';

/** Timers run by hand. */
class FakeTimers implements Timers {
  private next = 1;
  tasks = new Map<number, { fn: () => void; at: number }>();
  now = 0;
  set(fn: () => void, ms: number) {
    const h = this.next++;
    this.tasks.set(h, { fn, at: this.now + ms });
    return h;
  }
  clear(h: unknown) {
    this.tasks.delete(h as number);
  }
  advance(ms: number) {
    this.now += ms;
    for (const [h, t] of [...this.tasks]) {
      if (t.at <= this.now) {
        this.tasks.delete(h);
        t.fn();
      }
    }
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(fail = 0) {
  const timers = new FakeTimers();
  const saves: Patch[] = [];
  const states: SaveState[] = [];
  let failures = fail;
  const saver = new Autosaver(
    async (p) => {
      saves.push(p);
      if (failures > 0) {
        failures -= 1;
        throw { code: 'internal', message: 'disk full' };
      }
    },
    (s) => states.push(s),
    800,
    timers,
    3000,
  );
  return { timers, saves, states, saver };
}

describe('Autosaver', () => {
  it('saves a burst of typing once, after the quiet time, with only the changed fields', async () => {
    const { timers, saves, states, saver } = setup();
    saver.change('course', '儿');
    timers.advance(300);
    saver.change('course', '儿科');
    saver.change('chapter', '新生儿');
    expect(saver.isDirty('course')).toBe(true);
    timers.advance(799);
    expect(saves).toHaveLength(0);
    timers.advance(1);
    await tick();
    expect(saves).toEqual([{ course: '儿科', chapter: '新生儿' }]);
    expect(states).toEqual(['unsaved', 'saving', 'saved']);
    expect(saver.hasPending()).toBe(false);
  });

  it('flushes at once on close', async () => {
    const { saves, saver } = setup();
    saver.change('summary', 'x');
    await saver.flush();
    expect(saves).toEqual([{ summary: 'x' }]);
  });

  it('keeps changes made while a save is in flight for the next save', async () => {
    const { timers, saves, saver } = setup();
    saver.change('a', '1');
    const first = saver.flush();
    saver.change('b', '2');
    await first;
    timers.advance(800);
    await tick();
    expect(saves).toEqual([{ a: '1' }, { b: '2' }]);
  });

  it('keeps a failed save and retries it', async () => {
    const { timers, saves, states, saver } = setup(1);
    saver.change('a', '1');
    await saver.flush();
    expect(states.at(-1)).toBe('error');
    expect(saver.isDirty('a')).toBe(true);
    saver.change('b', '2');
    timers.advance(800);
    await tick();
    expect(saves.at(-1)).toEqual({ a: '1', b: '2' });
    expect(states.at(-1)).toBe('saved');
  });
});

describe('flushAll on closing', () => {
  it('says whether everything was saved, so a failed save keeps the window open', async () => {
    const ok = setup(0);
    const failing = setup(1);
    ok.saver.change('a', '1');
    failing.saver.change('b', '2');
    expect(await flushAll()).toBe(false);
    expect(ok.saves).toEqual([{ a: '1' }]);
    expect(failing.saver.isDirty('b')).toBe(true);
    // Once the failing save goes through, closing may proceed.
    expect(await flushAll()).toBe(true);
    expect(failing.saves.at(-1)).toEqual({ b: '2' });
    ok.saver.dispose();
    failing.saver.dispose();
  });
});

describe('debounce', () => {
  it('calls once with the last arguments', () => {
    const timers = new FakeTimers();
    const calls: string[] = [];
    const f = debounce((s: string) => calls.push(s), 200, timers);
    f('a');
    f('b');
    timers.advance(199);
    f('c');
    timers.advance(200);
    expect(calls).toEqual(['c']);
  });
});

describe('autosave during continuous typing', () => {
  it('saves at least every 3 s while typing never pauses', async () => {
    const { timers, saves, saver } = setup();
    // A keystroke every 200 ms for 10 s: the quiet time never comes.
    const savedAt: number[] = [];
    for (let i = 1; i <= 50; i++) {
      saver.change('learner_analysis', 'x'.repeat(i));
      const before = saves.length;
      timers.advance(200);
      await tick();
      if (saves.length > before) savedAt.push(timers.now);
    }
    expect(savedAt.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < savedAt.length; i++) expect(savedAt[i] - savedAt[i - 1]).toBeLessThanOrEqual(3200);
    // Each save carries the text as it was then; the last pause saves the rest.
    timers.advance(800);
    await tick();
    expect(saves.at(-1)).toEqual({ learner_analysis: 'x'.repeat(50) });
  });
});
