import { describe, expect, it } from 'vitest';
import { describeSync } from './syncbar';
import { shortcutFor } from './shortcuts';
import { printValue, printedSections } from './print';
import type { SyncStatus } from './generated/SyncStatus';
import type { KindInfo } from './generated/KindInfo';

const base = { office_name: '教研室', office_url: 'http://x', pending: 0, rejected: 0, last_sync: null, received: 0 };
const fmt = (ms: number) => `t${ms}`;

describe('sync status text', () => {
  it('says what the worker is doing', () => {
    expect(describeSync({ ...base, state: 'not_joined' } as SyncStatus, 0, fmt).key).toBe('sync_not_joined');
    expect(describeSync({ ...base, state: 'syncing', round_trips: 0, docs_sent: 0, docs_received: 0 } as SyncStatus, 0, fmt).key).toBe('sync_syncing');
    expect(describeSync({ ...base, state: 'syncing', round_trips: 4, docs_sent: 1, docs_received: 250 } as SyncStatus, 0, fmt)).toMatchObject({ key: 'sync_progress', params: { sent: 1, received: 250 } });
    expect(describeSync({ ...base, state: 'idle', pending: 2 } as SyncStatus, 0, fmt)).toMatchObject({ key: 'sync_pending', params: { n: 2 } });
    expect(describeSync({ ...base, state: 'idle', last_sync: 5 } as SyncStatus, 0, fmt)).toMatchObject({ key: 'sync_idle', params: { time: 't5' } });
    expect(describeSync({ ...base, state: 'offline', reason: 'r', retry_at: 12_000 } as SyncStatus, 2_000, fmt)).toMatchObject({ key: 'sync_offline', params: { time: '10' } });
    expect(describeSync({ ...base, state: 'error', code: 'unauthorized', message: 'revoked', retry_at: 0 } as SyncStatus, 0, fmt)).toMatchObject({ key: 'sync_error', tone: 'bad' });
  });
});

describe('shortcuts', () => {
  const k = (key: string, mods: Partial<KeyboardEvent> = {}) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('maps keys to actions', () => {
    expect(shortcutFor(k('n', { ctrlKey: true }))).toBe('new_lesson');
    expect(shortcutFor(k('N', { ctrlKey: true, shiftKey: true }))).toBe('new_case');
    expect(shortcutFor(k('f', { metaKey: true }))).toBe('search');
    expect(shortcutFor(k('/'))).toBe('search');
    expect(shortcutFor(k('n'))).toBeNull();
  });
});

describe('print', () => {
  const label = { zh: '状态', en: 'Status' };
  const kind: KindInfo = {
    kind: 'case',
    label,
    new_doc: label,
    untitled: label,
    print_title: label,
    holds_patient_data: true,
    filters: ['status'],
    print_header: [],
    teacher_only: ['teacher', 'workflow'],
    sections: [
      { key: 'case_meta', label, fields: [] },
      { key: 'act1', label, fields: [] },
      { key: 'teacher', label, fields: [] },
    ],
  };
  it('leaves the teacher sections out of the student version', () => {
    expect(printedSections(kind, false).map((s) => s.key)).toEqual(['case_meta', 'act1']);
    expect(printedSections(kind, true).map((s) => s.key)).toEqual(['case_meta', 'act1', 'teacher']);
    // A kind without teacher-only sections prints everything either way.
    const plain = { ...kind, teacher_only: [] };
    expect(printedSections(plain, false).map((s) => s.key)).toEqual(['case_meta', 'act1', 'teacher']);
  });
  it('prints choice labels in the UI language', () => {
    const f = { key: 'status', label, input: { type: 'choice' as const, choices: [{ value: 'draft', label: { zh: '草稿', en: 'Draft' } }] } };
    expect(printValue(f, 'draft', 'zh')).toBe('草稿');
    expect(printValue(f, 'draft', 'en')).toBe('Draft');
    expect(printValue(f, null, 'en')).toBe('');
  });
});

describe('growing text areas', () => {
  it('grow with their text between their rows and a comfortable height', async () => {
    const { grownHeight, comfortableMax } = await import('./autogrow');
    expect(grownHeight(40, 80, 500)).toBe(80);
    expect(grownHeight(300, 80, 500)).toBe(300);
    expect(grownHeight(2000, 80, 500)).toBe(500);
    expect(comfortableMax(768)).toBe(461);
    expect(comfortableMax(200)).toBe(200);
  });

  // A fake text area with the browser's layout: `rows` lines of 20 px at
  // its natural height, `lines` of text, 2 px of border; every height it is
  // given is recorded.
  const fake = (lines: number, height: string) => {
    const set: string[] = [];
    let h = height;
    const style = { overflowY: '' } as Record<string, string>;
    Object.defineProperty(style, 'height', { get: () => h, set: (v: string) => (set.push(v), (h = v)) });
    const inner = () => (h === 'auto' || h === '' ? 3 * 20 : parseFloat(h) - 2);
    const el = { style, get offsetHeight() { return inner() + 2; }, get clientHeight() { return inner(); }, get scrollHeight() { return Math.max(inner(), lines * 20); } };
    return { el: el as unknown as HTMLTextAreaElement, set };
  };

  it('are measured once, without a second layout at their natural height, when they are at their largest and still overflow', async () => {
    const { fitTextarea, comfortableMax } = await import('./autogrow');
    const max = comfortableMax(window.innerHeight);
    const long = fake(500, `${max}px`);
    fitTextarea(long.el);
    expect(long.set).toEqual([]);
    expect(long.el.style.overflowY).toBe('auto');
    // Text that fits again (most of it deleted) shrinks the area.
    const short = fake(5, `${max}px`);
    fitTextarea(short.el);
    expect(short.set).toEqual(['auto', `${5 * 20 + 2}px`]);
    expect(short.el.style.overflowY).toBe('hidden');
    // A growing area is measured at its natural height, up to the largest.
    const growing = fake(500, '200px');
    fitTextarea(growing.el);
    expect(growing.set).toEqual(['auto', `${max}px`]);
    expect(growing.el.style.overflowY).toBe('auto');
  });
});

describe('printed file names', () => {
  it('are the title and the lesson’s date, else the day of printing', async () => {
    const { printFileName } = await import('./print');
    expect(printFileName('热性惊厥的识别与处理', '2026-03-15')).toBe('热性惊厥的识别与处理 2026-03-15');
    expect(printFileName('川崎病', null, new Date(2026, 0, 5))).toBe('川崎病 2026-01-05');
    expect(printFileName('  ', 'soon', new Date(2026, 10, 30))).toBe('Rounds 2026-11-30');
  });
});

describe('the library’s order and the process minutes', () => {
  it('sorts by relevance (as given), newest or title', async () => {
    const { sortRows } = await import('./sort');
    const r = (title: string, updated: number) => ({ summary: { title, updated } });
    const rows = [r('川崎病', 1), r('哮喘', 3), r('Bronchiolitis', 2)];
    expect(sortRows(rows, 'relevance', 'zh')).toBe(rows);
    expect(sortRows(rows, 'newest', 'zh').map((x) => x.summary.title)).toEqual(['哮喘', 'Bronchiolitis', '川崎病']);
    expect(sortRows([r('b10', 0), r('b9', 0), r('A', 0)], 'title', 'en').map((x) => x.summary.title)).toEqual(['A', 'b9', 'b10']);
  });

  it('adds up the minutes and compares them with the class hours', async () => {
    const { minutesCheck } = await import('./minutes');
    expect(minutesCheck([{ minutes: 10 }, { minutes: 35 }, { minutes: null }], 1)).toEqual({ total: 45, hours: 1, expected: 45, differs: false });
    expect(minutesCheck([{ minutes: 60 }], 2)).toMatchObject({ expected: 90, differs: true });
    expect(minutesCheck([{ minutes: 20 }], null)).toEqual({ total: 20, hours: 0, expected: null, differs: false });
    expect(minutesCheck('rows', 1.5)).toMatchObject({ total: 0, expected: 68 });
  });
});

describe('print pagination', () => {
  it('moves a list row that would cross a page bottom to the next page, under its header', async () => {
    const { pageStarts, columnWidths } = await import('./print');
    const row = (top: number, h: number) => ({ top, bottom: top + h, row: true, head: 30 });
    const text = (top: number, h: number) => ({ top, bottom: top + h, row: false, head: 0 });
    // A page of 1000 px: text to 600, then rows of 150 px.
    const blocks = [text(0, 600), row(600, 150), row(750, 150), row(900, 150), row(1050, 150), row(1200, 150)];
    // The row at 900 would end at 1050: it starts page 2 (which begins at 870 with the header).
    expect(pageStarts(blocks, 1000)).toEqual([3]);
    // A text block taller than a page runs on; the row after it still fits.
    expect(pageStarts([text(0, 1500), row(1500, 100), row(1600, 350)], 1000)).toEqual([]);
    expect(pageStarts([text(0, 1500), row(1500, 100), row(1600, 500)], 1000)).toEqual([2]);
    // A row taller than a page is left to break.
    expect(pageStarts([text(0, 100), row(100, 1200)], 1000)).toEqual([]);
    const w = columnWidths([
      { key: 'stage', label: { zh: '', en: '' }, input: { type: 'text', max: 100, multiline: false } },
      { key: 'minutes', label: { zh: '', en: '' }, input: { type: 'int', min: 0, max: 600 } },
      { key: 'teacher', label: { zh: '', en: '' }, input: { type: 'text', max: 100, multiline: true } },
    ]);
    expect(Math.round(w.reduce((a, b) => a + b, 0))).toBe(87);
    expect(w[2]).toBeGreaterThan(w[0]);
    expect(w[1]).toBeLessThan(w[0]);
  });
});
