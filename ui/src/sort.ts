// How the library orders what it shows: search hits by relevance (the
// store's order) unless the teacher asks for newest first or by title.

import type { Lang } from './i18n';

export type SortBy = 'relevance' | 'newest' | 'title';

/** The rows in the chosen order; the store's order is kept for relevance, and ties keep it too. */
export function sortRows<R extends { summary: { title: string; updated: number } }>(rows: R[], by: SortBy, lang: Lang): R[] {
  if (by === 'relevance') return rows;
  const collator = new Intl.Collator(lang === 'zh' ? 'zh-CN' : 'en', { numeric: true, sensitivity: 'base' });
  const indexed = rows.map((r, i) => ({ r, i }));
  indexed.sort((a, b) => (by === 'newest' ? b.r.summary.updated - a.r.summary.updated : collator.compare(a.r.summary.title, b.r.summary.title)) || a.i - b.i);
  return indexed.map((x) => x.r);
}
