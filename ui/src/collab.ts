// The logic of preparing a plan together that the components use and the
// tests check: selections in code points (the core counts characters as
// Unicode code points, the webview's text controls count UTF-16 units),
// @mentions while typing, threads in the form's order, the review track's
// steps, and the inbox grouped by day.

import type { ThreadView } from './generated/ThreadView';
import type { InboxEntry } from './generated/InboxEntry';
import type { KindInfo } from './generated/KindInfo';

/** The code-point offset of a UTF-16 offset in `text` (an emoji or a rare 汉字 outside the BMP counts once). */
export function toCodePoints(text: string, utf16: number): number {
  let n = 0;
  let i = 0;
  while (i < utf16 && i < text.length) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return n;
}

/** The UTF-16 offset of a code-point offset in `text`. */
export function toUtf16(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

/** A text control's selection in code points, with the text selected; null when nothing is selected. */
export function selectionRange(text: string, start: number, end: number): { from: number; to: number; quote: string } | null {
  const [a, b] = start <= end ? [start, end] : [end, start];
  if (a === b) return null;
  return { from: toCodePoints(text, a), to: toCodePoints(text, b), quote: text.slice(a, b) };
}

/** The `@name` being typed just before the caret, if any: where it starts and what is typed after the @. */
export function mentionQuery(body: string, caret: number): { start: number; query: string } | null {
  const before = body.slice(0, caret);
  const m = /(^|\s)@([^\s@]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2] };
}

/** Completes the `@name` being typed with a member's name; returns the new body and caret. */
export function completeMention(body: string, caret: number, name: string): { body: string; caret: number } {
  const q = mentionQuery(body, caret);
  const start = q ? q.start : caret;
  const insert = `@${name} `;
  return { body: body.slice(0, start) + insert + body.slice(caret), caret: start + insert.length };
}

/** The members whose names a mention query matches (all, for an empty query). */
export function matchMembers<T extends { name: string }>(members: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  return q ? members.filter((m) => m.name.toLowerCase().includes(q)) : members;
}

/** Field keys in the order the form shows them (the title first), each section (`section:KEY`, as a thread on a whole section names it) before its fields. */
export function fieldOrder(kind: KindInfo | undefined): string[] {
  const keys = ['title'];
  for (const s of kind?.sections ?? []) {
    keys.push(`section:${s.key}`);
    for (const f of s.fields) keys.push(f.key);
  }
  return keys;
}

/** Threads in the order of the form: by field, then by where their selection starts, then by time; whole-document threads first. */
export function sortThreads(threads: ThreadView[], order: string[]): ThreadView[] {
  const pos = (t: ThreadView) => (t.field === '' ? -1 : order.indexOf(t.field) === -1 ? order.length : order.indexOf(t.field));
  const start = (t: ThreadView) => (t.place.state === 'range' ? t.place.from : -1);
  return [...threads].sort((a, b) => pos(a) - pos(b) || a.row.localeCompare(b.row) || start(a) - start(b) || a.at - b.at);
}

/** Open suggestions nobody has decided yet, which "accept all" takes. */
export function openSuggestions(threads: ThreadView[]): ThreadView[] {
  return threads.filter((t) => t.kind === 'suggestion' && !t.decision);
}

/** Whether the review track may go from `from` (null: never submitted) to `to`, as the office's rules say. */
export function reviewStepAllowed(from: string | null, to: string): boolean {
  switch (to) {
    case 'submitted':
      return from === null || from === 'changes_requested' || from === 'rejected';
    case 'in_review':
      return from === 'submitted';
    case 'approved':
    case 'changes_requested':
    case 'rejected':
      return from === 'submitted' || from === 'in_review';
    case 'published':
      return from === 'approved';
    default:
      return false;
  }
}

/** The local calendar day of a time, as YYYY-MM-DD. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Inbox items grouped by day, newest day first and newest first within a day. */
export function groupByDay(items: InboxEntry[]): { day: string; items: InboxEntry[] }[] {
  const sorted = [...items].sort((a, b) => b.at - a.at || a.item.localeCompare(b.item));
  const out: { day: string; items: InboxEntry[] }[] = [];
  for (const i of sorted) {
    const day = dayOf(i.at);
    const last = out[out.length - 1];
    if (last && last.day === day) last.items.push(i);
    else out.push({ day, items: [i] });
  }
  return out;
}

/** "Today", "yesterday" or the date, for a day heading. */
export function dayLabel(day: string, now: number, lang: 'zh' | 'en', t: { today: string; yesterday: string }): string {
  if (day === dayOf(now)) return t.today;
  if (day === dayOf(now - 86_400_000)) return t.yesterday;
  const [y, m, d] = day.split('-').map(Number);
  if (lang === 'zh') return `${y}年${m}月${d}日`;
  return new Date(y, m - 1, d).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}
