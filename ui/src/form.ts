// The editor's form model: turning what a teacher types into the JSON the
// store validates, list rows with stable keys, and reconciling the rows the
// store just gave ids to. Pure functions, tested with vitest.

import type { FieldInfo } from './generated/FieldInfo';
import { parseDate } from './dates';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A list row as the editor keeps it: the store's fields plus `_k`, a key for the UI that exists before the store has given the row an id. */
export type Row = { _k: string; id?: string; [field: string]: Json | undefined };

let nextKey = 0;
export function newKey(): string {
  nextKey += 1;
  return `k${nextKey}`;
}

/** Rows from the store, each given a UI key (its id where it has one). */
export function rowsFromStore(value: unknown): Row[] {
  if (!Array.isArray(value)) return [];
  return value.map((r) => {
    const row = (r ?? {}) as Record<string, Json>;
    const id = typeof row.id === 'string' ? row.id : undefined;
    return { ...row, _k: id ?? newKey() } as Row;
  });
}

/** Rows as the store takes them: without UI keys, and without ids they do not have yet. */
export function rowsToStore(rows: Row[]): Json[] {
  return rows.map(({ _k, ...rest }) => {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v as Json;
    return out;
  });
}

/** After a save, gives the rows that were sent without an id the ids the store assigned, matched by position in the list that was sent. Rows edited since keep what was typed. */
export function adoptIds(current: Row[], sent: Row[], saved: unknown): Row[] {
  if (!Array.isArray(saved) || saved.length !== sent.length) return current;
  const idByKey = new Map<string, string>();
  sent.forEach((row, i) => {
    const s = saved[i] as { id?: unknown } | null;
    if (!row.id && s && typeof s.id === 'string') idByKey.set(row._k, s.id);
  });
  return current.map((r) => (!r.id && idByKey.has(r._k) ? { ...r, id: idByKey.get(r._k) } : r));
}

export function addRow(rows: Row[], item: FieldInfo[]): Row[] {
  const row: Row = { _k: newKey() };
  for (const f of item) row[f.key] = emptyValue(f);
  return [...rows, row];
}

export function removeRow(rows: Row[], index: number): Row[] {
  return rows.filter((_, i) => i !== index);
}

/** Moves a row up (-1) or down (+1); out-of-range moves change nothing. */
export function moveRow(rows: Row[], index: number, delta: -1 | 1): Row[] {
  const j = index + delta;
  if (index < 0 || index >= rows.length || j < 0 || j >= rows.length) return rows;
  const out = rows.slice();
  [out[index], out[j]] = [out[j], out[index]];
  return out;
}

export function emptyValue(f: FieldInfo): Json {
  switch (f.input.type) {
    case 'text':
      return '';
    case 'list':
      return [];
    default:
      return null;
  }
}

export type InputError = 'number' | 'range' | 'date' | 'date_range' | 'length';

/** Converts what an input holds into the field's JSON value. Returns `{error}` for a value the store would refuse, so the editor can say so before sending. `locale` is the English locale dates are typed in. */
export function parseInput(f: FieldInfo, raw: string, locale = 'en-GB'): { value: Json } | { error: InputError } {
  const input = f.input;
  switch (input.type) {
    case 'text':
      return [...raw].length > input.max ? { error: 'length' } : { value: raw };
    case 'choice':
      return { value: raw === '' ? null : raw };
    case 'int': {
      if (raw.trim() === '') return { value: null };
      if (!/^-?\d+$/.test(raw.trim())) return { error: 'number' };
      const n = Number(raw.trim());
      return n < input.min || n > input.max ? { error: 'range' } : { value: n };
    }
    case 'number': {
      if (raw.trim() === '') return { value: null };
      const n = Number(raw.trim());
      if (!Number.isFinite(n)) return { error: 'number' };
      return n < input.min || n > input.max ? { error: 'range' } : { value: n };
    }
    case 'date':
      return parseDate(raw, locale, { min: input.min_year, max: input.max_year });
    case 'list':
      return { value: raw };
    case 'ref':
      return { value: raw === '' ? null : raw };
  }
}

/** The text an input shows for a stored value. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

/** Tags typed as "a, b，c" (Chinese or English commas). */
export function parseTags(raw: string): string[] {
  const seen = new Set<string>();
  for (const t of raw.split(/[,，、]/)) {
    const s = t.trim();
    if (s) seen.add(s);
  }
  return [...seen];
}
