// An earlier version next to the current one: which fields differ, what
// changed in each (insertions and deletions marked, by character, which
// suits Chinese), the text to copy, and the edit that restores the version
// as a new change — so restoring never loses the versions in between.

import { diffChars } from 'diff';
import { pick, type Lang } from './i18n';
import { printValue } from './print';
import type { Json } from './form';
import type { FieldInfo } from './generated/FieldInfo';
import type { KindInfo } from './generated/KindInfo';

export type Part = { text: string; kind: 'same' | 'ins' | 'del' };

/** What changed from `from` to `to`: unchanged, inserted and deleted runs. */
export function textDiff(from: string, to: string): Part[] {
  return diffChars(from, to).map((c) => ({ text: c.value, kind: c.added ? 'ins' : c.removed ? 'del' : 'same' }));
}

/** A field's value as plain text: list rows one per line, their cells joined by " · ". */
export function fieldText(f: FieldInfo, v: unknown, lang: Lang, locale: string): string {
  if (f.input.type === 'list') {
    const item = f.input.item;
    const rows = Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
    return rows
      .map((r) =>
        item
          .map((c) => printValue(c, r[c.key], lang, locale))
          .filter((x) => x !== '')
          .join(' · '),
      )
      .join('\n');
  }
  return printValue(f, v, lang, locale);
}

/** A value without what only the UI adds (row keys), for comparing. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (k, x) => (k === '_k' ? undefined : x === '' ? null : x));
}

export interface FieldChange {
  key: string;
  label: string;
  /** The text in the earlier version. */
  old: string;
  parts: Part[];
}

/** The fields (title and tags first) whose value differs between the earlier version and the current one, with what changed since. */
export function changesSince(kind: KindInfo, old: Record<string, unknown>, cur: Record<string, unknown>, lang: Lang, locale: string, labels: { title: string; tags: string }): FieldChange[] {
  const out: FieldChange[] = [];
  const push = (key: string, label: string, a: string, b: string) => out.push({ key, label, old: a, parts: textDiff(a, b) });
  if (canonical(old.title) !== canonical(cur.title)) push('title', labels.title, String(old.title ?? ''), String(cur.title ?? ''));
  const tags = (v: unknown) => (Array.isArray(v) ? (v as string[]).join(', ') : '');
  if (tags(old.tags) !== tags(cur.tags)) push('tags', labels.tags, tags(old.tags), tags(cur.tags));
  for (const s of kind.sections) {
    for (const f of s.fields) {
      if (canonical(old[f.key]) === canonical(cur[f.key])) continue;
      push(f.key, pick(f.label, lang), fieldText(f, old[f.key], lang, locale), fieldText(f, cur[f.key], lang, locale));
    }
  }
  return out;
}

/** The edit that makes the document what it was in the earlier version: every differing field set to its old value (list rows with their ids, so rows removed since come back with their history). */
export function restorePatch(kind: KindInfo, old: Record<string, unknown>, cur: Record<string, unknown>): Record<string, Json> {
  const patch: Record<string, Json> = {};
  if (canonical(old.title) !== canonical(cur.title) && typeof old.title === 'string') patch.title = old.title;
  if (canonical(old.tags) !== canonical(cur.tags)) patch.tags = (Array.isArray(old.tags) ? old.tags : []) as Json;
  for (const s of kind.sections) {
    for (const f of s.fields) {
      if (canonical(old[f.key]) === canonical(cur[f.key])) continue;
      const v = old[f.key];
      patch[f.key] = (v === undefined ? (f.input.type === 'list' ? [] : f.input.type === 'text' ? '' : null) : v) as Json;
    }
  }
  return patch;
}

/** Copies text to the clipboard: the async API where the webview allows it, else a selected hidden text area. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    /* not allowed here: fall back to the older way */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('the clipboard is not available');
}
