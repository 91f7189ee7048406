// The editor's side of preparing together that works on the page itself:
// which text control a thread is about, the open-thread counts on field
// labels, a selection in a text field turned into a comment's target (in
// code points), and the small toolbar that offers Comment and Suggest.

import { useApp } from './ctx';
import { selectionRange } from './collab';
import { GroupEditor, ReflectDialog, type Panel as PanelName } from './group';
import { ReviewPanel } from './review';
import { CompareDialog } from './compare';
import { pick, type Key, type Lang } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { KindInfo } from './generated/KindInfo';
import type { Draft } from './margin';

/** The text control a thread is about: a field, or a list row's field. */
export function controlOf(field: string, row: string, item: string) {
  // A thread on a whole section has no text control: its first one stands for it.
  if (field.startsWith('section:')) return document.querySelector(`#sec-${field.slice(8)} [data-field]`) as HTMLInputElement | HTMLTextAreaElement | null;
  return (row
    ? document.querySelector(`.editor [data-list="${field}"] [data-row="${row}"] [data-field="${item}"]`)
    : document.querySelector(`.editor [data-field="${field}"]:not([data-row] *)`)) as HTMLInputElement | HTMLTextAreaElement | null;
}

/** Marks each field's label with the number of its open threads (`data-threads`, drawn by the style sheet); `null` clears them. */
export function markThreadCounts(collab: CollabView | null) {
  document.querySelectorAll('.editor [data-threads]').forEach((e) => e.removeAttribute('data-threads'));
  if (!collab) return;
  const counts = new Map<Element, number>();
  for (const th of collab.threads) {
    if (th.state !== 'open' || !th.field || th.field.startsWith('section:')) continue;
    const label = controlOf(th.field, th.row, th.item)?.closest('.field')?.querySelector(':scope > .label');
    if (label) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  counts.forEach((n, label) => label.setAttribute('data-threads', String(n)));
}

/** A selection about to become a comment or a suggestion, and where to offer them. */
export interface Selected {
  draft: Omit<Draft, 'mode'>;
  x: number;
  y: number;
}

/** The selection in the text field an event happened in: a target in code points with its quote; `null` when nothing is selected; `undefined` when the event was not in a text field that can be commented on. */
export function selectionAt(e: Event): Selected | null | undefined {
  const el = e.target as HTMLInputElement | HTMLTextAreaElement;
  if (!el?.dataset?.field || typeof el.selectionStart !== 'number') return undefined;
  if (el.type !== 'text' && el.tagName !== 'TEXTAREA') return undefined;
  const r = selectionRange(el.value, el.selectionStart, el.selectionEnd ?? el.selectionStart);
  if (!r) return null;
  const rowEl = el.closest('[data-row]') as HTMLElement | null;
  const listEl = el.closest('[data-list]') as HTMLElement | null;
  const range: [number, number] = [r.from, r.to];
  const target = rowEl && listEl ? { field: listEl.dataset.list!, row: rowEl.dataset.row ?? '', item: el.dataset.field, range } : { field: el.dataset.field, row: '', item: '', range };
  if (rowEl && !target.row) return undefined; // a new row, without an id yet
  const rect = el.getBoundingClientRect();
  const me = e as MouseEvent;
  const x = Math.min(typeof me.clientX === 'number' && me.clientX > 0 ? me.clientX : rect.right - 200, window.innerWidth - 260);
  const y = typeof me.clientY === 'number' && me.clientY > 0 ? me.clientY + 12 : rect.bottom + 4;
  return { draft: { target, quote: r.quote }, x, y: Math.min(y, window.innerHeight - 60) };
}

/** "评论 / Comment" and "建议修改 / Suggest" beside a selection. */
export function SelectionTools(props: { at: Selected; pick: (mode: Draft['mode']) => void }) {
  const { t } = useApp();
  return (
    <div class="selection-tools no-print" style={{ left: `${props.at.x}px`, top: `${props.at.y}px` }} role="toolbar" aria-label={t('comment')}>
      <button type="button" class="sel-comment" onMouseDown={(e) => e.preventDefault()} onClick={() => props.pick('comment')}>
        {t('comment')}
      </button>
      <button type="button" class="sel-suggest" onMouseDown={(e) => e.preventDefault()} onClick={() => props.pick('suggest')}>
        ✎ {t('suggest')}
      </button>
    </div>
  );
}

/** What a thread is about, as the margin names it: a field's label, with the row's number and the row's field. */
export function threadPlace(kind: KindInfo, values: Record<string, unknown>, field: string, row: string, item: string, t: (k: Key, p?: Record<string, string | number>) => string, lang: Lang): string {
  if (field === 'title') return t('title_label');
  if (field.startsWith('section:')) {
    const sec = kind.sections.find((x) => `section:${x.key}` === field);
    return sec ? pick(sec.label, lang) : field;
  }
  const f = kind.sections.flatMap((x) => x.fields).find((x) => x.key === field);
  if (!f) return field;
  if (!row) return pick(f.label, lang);
  const rows = (values[field] ?? []) as { id?: string }[];
  const n = rows.findIndex((r) => r.id === row) + 1;
  const sub = f.input.type === 'list' ? f.input.item.find((x) => x.key === item) : undefined;
  return [pick(f.label, lang), n > 0 ? t('row_n', { n }) : '', sub ? pick(sub.label, lang) : ''].filter(Boolean).join(' · ');
}

/** The dialog of the collaboration bar that is open. */
export function Panel(props: { panel: Exclude<PanelName, null>; id: string; collab: CollabView; close: () => void; onCollab: (v: CollabView) => void; onError: (e: unknown) => void; notice: (m: string) => void; printRecord: () => void }) {
  switch (props.panel) {
    case 'group':
      return <GroupEditor {...props} />;
    case 'review':
      return <ReviewPanel {...props} />;
    case 'compare':
      return <CompareDialog {...props} />;
    case 'reflect':
      return <ReflectDialog {...props} />;
  }
}
