// Dates as teachers read and type them. The store keeps `YYYY-MM-DD`; the
// editor shows that in Chinese and the English locale's own order (with the
// month as a word, so 3/4 can never be misread), and accepts what people
// type: `2026-03-15`, `2026/3/15`, `2026年3月15日`, `15 Mar 2026`,
// `March 15, 2026`, or digits in the locale's order. The webview's own date
// input is not used: it showed mm/dd/yyyy in the Chinese UI and turned a
// typed `2026-03-15` into `0015-12-03`.

import type { Lang } from './i18n';

export type DateError = 'date' | 'date_range';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function isReal(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate();
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 ? (leap ? 29 : 28) : days);
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Whether digits-only dates in this English locale put the month first (en-US) or the day (en-GB, en-AU, …). */
export function monthFirst(locale: string): boolean {
  try {
    const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' }).formatToParts(new Date(Date.UTC(2026, 2, 15)));
    const order = parts.filter((p) => p.type === 'month' || p.type === 'day').map((p) => p.type);
    return order[0] === 'month';
  } catch {
    return false;
  }
}

/** A month written as a word: its full English name or a prefix of at least three letters (`Mar`, `Sept.`). */
function monthByName(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  const i = MONTHS.findIndex((m) => m.startsWith(w));
  return i < 0 ? null : i + 1;
}

/** The parts of a typed date, or null when it is not one of the accepted forms. */
function parts(raw: string, locale: string): [number, number, number] | null {
  const s = raw.trim().replace(/\s+/g, ' ');
  let m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s);
  if (m) return [+m[1], +m[2], +m[3]];
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return monthFirst(locale) ? [+m[3], +m[1], +m[2]] : [+m[3], +m[2], +m[1]];
  m = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+\.?),? (\d{4})$/.exec(s);
  if (m) {
    const mo = monthByName(m[2]);
    return mo ? [+m[3], mo, +m[1]] : null;
  }
  m = /^([A-Za-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(s);
  if (m) {
    const mo = monthByName(m[1]);
    return mo ? [+m[3], mo, +m[2]] : null;
  }
  return null;
}

/** Turns what was typed into the stored `YYYY-MM-DD` (null when empty), or says why not. */
export function parseDate(raw: string, locale: string, years: { min: number; max: number }): { value: string | null } | { error: DateError } {
  if (raw.trim() === '') return { value: null };
  const p = parts(raw, locale);
  if (!p || !isReal(...p)) return { error: 'date' };
  if (p[0] < years.min || p[0] > years.max) return { error: 'date_range' };
  return { value: iso(...p) };
}

/** A stored date as the editor shows it: `YYYY-MM-DD` in Chinese, the locale's order in English. Anything else is shown as stored. */
export function formatDate(stored: unknown, lang: Lang, locale: string, style: 'edit' | 'print' = 'edit'): string {
  if (typeof stored !== 'string' || stored === '') return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(stored);
  if (!m) return stored;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (lang === 'zh') return style === 'print' ? `${y}年${mo}月${d}日` : stored;
  try {
    return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, mo - 1, d)));
  } catch {
    return stored;
  }
}

/** The English locale to write dates in: the system's own English (en_US.UTF-8 → en-US), else British English. */
export function englishLocale(languages: readonly string[]): string {
  for (const l of languages) {
    const tag = l.split('.')[0].replace('_', '-');
    if (/^en(-[A-Za-z]{2})?$/i.test(tag)) {
      try {
        return Intl.getCanonicalLocales(tag)[0];
      } catch {
        /* not a locale the engine knows */
      }
    }
  }
  return 'en-GB';
}
