import { describe, expect, it } from 'vitest';
import { addRow, adoptIds, moveRow, parseInput, parseTags, removeRow, rowsFromStore, rowsToStore } from './form';
import type { FieldInfo } from './generated/FieldInfo';

const label = { zh: 'x', en: 'x' };
const text: FieldInfo = { key: 'course', label, input: { type: 'text', max: 5, multiline: false } };
const int: FieldInfo = { key: 'minutes', label, input: { type: 'int', min: 0, max: 600 } };
const num: FieldInfo = { key: 'class_hours', label, input: { type: 'number', min: 0, max: 100 } };
const date: FieldInfo = { key: 'date', label, input: { type: 'date', min_year: 1900, max_year: 2100 } };
const choice: FieldInfo = { key: 'status', label, input: { type: 'choice', choices: [{ value: 'draft', label }] } };
const item: FieldInfo[] = [{ key: 'stage', label, input: { type: 'text', max: 200, multiline: false } }, int];

describe('parseInput', () => {
  it('converts each type and refuses what the store would refuse', () => {
    expect(parseInput(text, '儿科学')).toEqual({ value: '儿科学' });
    expect(parseInput(text, '一二三四五六')).toEqual({ error: 'length' });
    expect(parseInput(int, '45')).toEqual({ value: 45 });
    expect(parseInput(int, '')).toEqual({ value: null });
    expect(parseInput(int, '4.5')).toEqual({ error: 'number' });
    expect(parseInput(int, '601')).toEqual({ error: 'range' });
    expect(parseInput(num, '1.5')).toEqual({ value: 1.5 });
    expect(parseInput(num, 'abc')).toEqual({ error: 'number' });
    expect(parseInput(date, '2026-03-01')).toEqual({ value: '2026-03-01' });
    expect(parseInput(date, '3/1/2026', 'en-US')).toEqual({ value: '2026-03-01' });
    expect(parseInput(date, '2026-03')).toEqual({ error: 'date' });
    expect(parseInput(date, '0015-12-03')).toEqual({ error: 'date_range' });
    expect(parseInput(choice, '')).toEqual({ value: null });
    expect(parseInput(choice, 'draft')).toEqual({ value: 'draft' });
  });

  it('splits tags on Chinese and English commas, without duplicates', () => {
    expect(parseTags('IMCI, 肺炎，肺炎、 ')).toEqual(['IMCI', '肺炎']);
  });
});

describe('list rows', () => {
  it('adds, removes and reorders rows', () => {
    let rows = addRow([], item);
    rows = addRow(rows, item);
    expect(rows).toHaveLength(2);
    expect(rows[0].stage).toBe('');
    expect(rows[0].minutes).toBeNull();
    rows[0] = { ...rows[0], stage: 'A' };
    rows[1] = { ...rows[1], stage: 'B' };
    const moved = moveRow(rows, 1, -1);
    expect(moved.map((r) => r.stage)).toEqual(['B', 'A']);
    expect(moveRow(rows, 0, -1)).toBe(rows);
    expect(removeRow(moved, 0).map((r) => r.stage)).toEqual(['A']);
  });

  it('sends rows without UI keys and keeps store ids', () => {
    const rows = rowsFromStore([{ id: 'abc', stage: 'x' }]);
    expect(rows[0]._k).toBe('abc');
    const withNew = addRow(rows, item);
    expect(rowsToStore(withNew)).toEqual([{ id: 'abc', stage: 'x' }, { stage: '', minutes: null }]);
  });

  it('gives new rows the ids the store assigned, keeping what was typed since', () => {
    const sent = addRow(rowsFromStore([{ id: 'a1', stage: 'x' }]), item);
    const typedSince = [sent[0], { ...sent[1], stage: 'typed after the save was sent' }];
    const saved = [{ id: 'a1', stage: 'x' }, { id: 'n2', stage: '' }];
    const got = adoptIds(typedSince, sent, saved);
    expect(got[1].id).toBe('n2');
    expect(got[1].stage).toBe('typed after the save was sent');
    expect(got[1]._k).toBe(sent[1]._k);
    // A different length means the list changed elsewhere: nothing is guessed.
    expect(adoptIds(typedSince, sent, [saved[0]])).toBe(typedSince);
  });
});
