import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { pick } from './i18n';
import type { DocView } from './generated/DocView';
import type { PdfSaved } from './generated/PdfSaved';
import type { FieldInfo } from './generated/FieldInfo';
import type { KindInfo } from './generated/KindInfo';
import type { Lang } from './i18n';
import { formatDate } from './dates';
import { refTitle } from './refs';

/** The printed text of a value: choice labels in the UI's language, dates as 2026年3月15日 or in the English locale's order. */
export function printValue(f: FieldInfo, v: unknown, lang: Lang, locale = 'en-GB', refText?: (v: unknown) => string): string {
  if (v === null || v === undefined || v === '') return '';
  // A reference prints its target's title (never its id).
  if (f.input.type === 'ref') return refText ? refText(v) : '';
  if (f.input.type === 'date') return formatDate(v, lang, locale, 'print');
  if (f.input.type === 'choice') {
    const c = f.input.choices.find((c) => c.value === v);
    return c ? pick(c.label, lang) : String(v);
  }
  return String(v);
}

/** The sections to print for a kind and version: a learner's copy leaves out the kind's teacher-only sections. */
export function printedSections(kind: KindInfo, teacher: boolean) {
  return kind.sections.filter((s) => teacher || !kind.teacher_only.includes(s.key));
}

/** The name a printed or saved file gets: the title and the lesson's date (else the day it is printed), as `YYYY-MM-DD`. */
export function printFileName(title: string, date: unknown, today: Date = new Date()): string {
  const d = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return `${title.trim() || 'Rounds'} ${d}`;
}

/** Back to the editor, print, save as PDF (named `name`), and where the PDF went: above every printed sheet. */
export function PrintTools(props: { name: string; back: () => void; onError: (m: string) => void; savePdf?: () => Promise<PdfSaved> }) {
  const { t, explain } = useApp();
  const [saved, setSaved] = useState<string | null>(null);
  const [missing, setMissing] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setSaved(null);
    setMissing([]);
    try {
      const r = await f();
      if (typeof r === 'string') setSaved(r);
      else if (r && typeof r === 'object' && 'path' in r) {
        setSaved((r as PdfSaved).path);
        setMissing((r as PdfSaved).missing);
      }
    } catch (e) {
      props.onError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="print-tools no-print">
        <button class="back-to-editor" onClick={props.back}>← {t('back_to_editor')}</button>
        <button class="primary print-now" disabled={busy} onClick={() => void run(() => api.printPage(props.name))}>{t('print_now')}</button>
        <button class="save-pdf" disabled={busy} onClick={() => void run(props.savePdf ?? (() => api.savePdf(props.name)))}>{t('save_pdf')}</button>
      </div>
      {saved && (
        <p class="print-saved no-print" role="status">
          {t('pdf_saved')} <code>{saved}</code>
          {missing.length > 0 && <span class="pdf-missing"> {t('pdf_missing', { n: missing.length, chars: missing.join(' ') })}</span>}
        </p>
      )}
    </>
  );
}

export function PrintView(props: { id: string; teacher: boolean; at?: string; back: () => void }) {
  const { t, lang, schema, locale, explain } = useApp();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sheet = useRef<HTMLElement>(null);
  // Page breaks follow the laid-out sheet; fonts may still be loading.
  useLayoutEffect(() => {
    if (!doc || !sheet.current) return;
    const el = sheet.current;
    paginate(el);
    void document.fonts?.ready.then(() => paginate(el));
  }, [doc, lang]);

  useEffect(() => {
    (props.at ? api.at(props.id, props.at) : api.get(props.id)).then(setDoc, (e) => setError(explain(e)));
  }, [props.id, props.at]);

  // The page title names the file where the webview's own dialog is used.
  useEffect(() => {
    if (!doc) return;
    const before = document.title;
    document.title = printFileName(doc.summary.title, doc.fields.date);
    return () => {
      document.title = before;
    };
  }, [doc]);

  if (error) return <p class="field-error">{error}</p>;
  if (!doc) return <p class="muted">{t('loading')}</p>;
  const kind = schema.kinds.find((k) => k.kind === doc.summary.kind);
  if (!kind) return null;
  const v = doc.fields;
  const allFields = kind.sections.flatMap((s) => s.fields);
  const field = (key: string) => allFields.find((f) => f.key === key);
  // The kind's header fields print as the form's grid, two per row; a kind
  // with teacher-only sections prints as a student or a teacher version.
  const versions = kind.teacher_only.length > 0;
  const sections = printedSections(kind, props.teacher).map((s) => ({
    ...s,
    fields: s.fields.filter((f) => !kind.print_header.includes(f.key)),
  })).filter((s) => s.fields.length > 0);

  const header = kind.print_header.map(field).filter((f): f is FieldInfo => !!f);
  const pairs: FieldInfo[][] = [];
  for (let i = 0; i < header.length; i += 2) pairs.push(header.slice(i, i + 2));
  const name = printFileName(doc.summary.title, v.date);
  const refText = (x: unknown) => {
    const r = refTitle(doc.links, x, new Map());
    return r.available ? (r.title ?? '') : t('ref_unavailable');
  };

  return (
    <div class="print-wrap">
      <PrintTools
        name={name}
        back={props.back}
        onError={setError}
        // The PDF is laid out by rounds-pdf (as `rounds export --format pdf`), not printed by the webview, so it is the same file on every system.
        savePdf={() => api.exportPdf(props.id, lang, versions && !props.teacher ? `${name} ${t('student_version')}` : name, versions && !props.teacher, props.at ?? null)}
      />
      <article ref={sheet} class={`sheet sheet-${kind.kind}`} lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <h1 class="sheet-title">{pick(kind.print_title, lang)}</h1>
        <h2 class="sheet-subtitle">
          {doc.summary.title}
          {versions && <span class="version"> · {props.teacher ? t('teacher_version') : t('student_version')}</span>}
        </h2>
        {header.length > 0 && (
          <table class="form head">
            <colgroup>
              <col class="th" />
              <col />
              <col class="th" />
              <col />
            </colgroup>
            <tbody>
              {pairs.map((p) => (
                <tr>
                  {p.map((f) => (
                    <>
                      <th scope="row">{pick(f.label, lang)}</th>
                      <td colSpan={p.length === 1 ? 3 : 1}>{printValue(f, v[f.key], lang, locale, refText)}</td>
                    </>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {sections.map((s) => (
          <PrintSection label={pick(s.label, lang)} fields={s.fields} values={v} lang={lang} locale={locale} refText={refText} />
        ))}
      </article>
    </div>
  );
}

/**
 * One section of the form. Its text fields are one row beside the
 * section's name; each list field is a table of its own (not nested in the
 * form's row), so on paper its rows are kept whole and its header row is
 * repeated on the next page, and a short table is kept on one page.
 */
function PrintSection(props: { label: string; fields: FieldInfo[]; values: Record<string, unknown>; lang: Lang; locale: string; refText: (v: unknown) => string }) {
  const { label, fields, values, lang, locale, refText } = props;
  const texts = fields.filter((f) => f.input.type !== 'list' && printValue(f, values[f.key], lang, locale, refText) !== '');
  const lists = fields.filter((f) => f.input.type === 'list' && Array.isArray(values[f.key]) && (values[f.key] as unknown[]).length > 0);
  const single = fields.length === 1;
  const out = [];
  if (texts.length > 0 || lists.length === 0) {
    out.push(
      <table class="form sect">
        <colgroup>
          <col class="th" />
          <col />
        </colgroup>
        <tbody>
          <tr class="section-row">
            <th scope="row">{label}</th>
            <td>
              {texts.map((f) => (
                <div class="print-field">
                  {!single && <span class="print-label">{pick(f.label, lang)}：</span>}
                  <span class="print-text">{printValue(f, values[f.key], lang, locale, refText)}</span>
                </div>
              ))}
            </td>
          </tr>
        </tbody>
      </table>,
    );
  }
  for (const f of lists) {
    if (f.input.type !== 'list') continue;
    const rows = values[f.key] as Record<string, unknown>[];
    const item = f.input.item;
    // The section's name heads the first list; later lists of the section carry their own.
    const head = texts.length === 0 && f === lists[0] ? label : pick(f.label, lang);
    const cols = (
      <colgroup>
        <col class="th" style={{ width: `${SECT_COL}%` }} />
        {columnWidths(item).map((w) => (
          <col style={{ width: `${w}%` }} />
        ))}
      </colgroup>
    );
    // The header row and each row are tables of their own: WebKit splits
    // table rows across pages and does not repeat headers, so paginate()
    // moves a row that would be split to the next page, under a copy of
    // the header.
    out.push(
      <table class={`form sect list list-head list-${f.key}`} data-list={f.key}>
        {cols}
        <thead>
          <tr>
            <th class="sect-name" scope="col">{head}</th>
            {item.map((c) => (
              <th class={`col-${c.key}`} scope="col">{pick(c.label, lang)}</th>
            ))}
          </tr>
        </thead>
      </table>,
    );
    rows.forEach((r, i) => {
      out.push(
        <table class={`form sect list list-row list-${f.key} ${i === rows.length - 1 ? 'last' : ''}`} data-list={f.key}>
          {cols}
          <tbody>
            <tr>
              <td class="sect-name" />
              {item.map((c) => (
                <td class={`col-${c.key}`}>{printValue(c, r[c.key], lang, locale, refText)}</td>
              ))}
            </tr>
          </tbody>
        </table>,
      );
    });
  }
  return <>{out}</>;
}

/** The section name's column, in percent of the sheet's width (24 mm of 182). */
const SECT_COL = 13;

/** Column widths in percent of what the section name leaves: numbers narrow, long text wide. */
export function columnWidths(item: FieldInfo[]): number[] {
  const weight = (c: FieldInfo) => (c.input.type === 'int' || c.input.type === 'number' ? 0.8 : c.input.type === 'text' && c.input.multiline ? 3 : 1.4);
  const total = item.reduce((n, c) => n + weight(c), 0);
  return item.map((c) => Math.round(((100 - SECT_COL) * weight(c) * 100) / total) / 100);
}

/** The printable height of an A4 page with the print stylesheet's margins (297 mm less 15 mm top and bottom). */
export const PAGE_MM = 267;

/**
 * Where pages break, worked out on the screen's layout of the sheet (the
 * same width as on paper): a list row that would cross the bottom of a page
 * starts the next one, under a copy of its list's header row. Blocks are
 * the sheet's children in order, with their top and bottom in px; returns
 * the indices of the rows that start a page.
 */
export function pageStarts(blocks: { top: number; bottom: number; row: boolean; head: number }[], pageHeight: number): number[] {
  const starts: number[] = [];
  let pageTop = blocks.length ? blocks[0].top : 0;
  for (const [i, b] of blocks.entries()) {
    while (b.bottom - pageTop > pageHeight) {
      const fits = b.bottom - b.top + (b.row ? b.head : 0) <= pageHeight;
      if (b.row && fits && b.top > pageTop) {
        // The row moves to a new page, with its header repeated above it.
        starts.push(i);
        pageTop = b.top - b.head;
        break;
      }
      // Text (or a row taller than a page) runs on over the break.
      pageTop += pageHeight;
    }
  }
  return starts;
}

/** Marks the sheet's page breaks (see pageStarts): the row's repeated header gets `break-before: page`. */
export function paginate(sheet: HTMLElement): void {
  for (const el of [...sheet.querySelectorAll('.repeat-head')]) el.remove();
  const probe = document.createElement('div');
  probe.style.height = `${PAGE_MM}mm`;
  sheet.appendChild(probe);
  // A little short of the page, for the text that breaks at a line above the exact bottom.
  const pageHeight = probe.getBoundingClientRect().height - 24;
  probe.remove();
  const children = [...sheet.children] as HTMLElement[];
  const heads = new Map<string, HTMLElement>();
  const blocks = children.map((el) => {
    const r = el.getBoundingClientRect();
    const list = el.dataset.list;
    if (list && el.classList.contains('list-head')) heads.set(list, el);
    const head = list ? heads.get(list) : undefined;
    return { top: r.top, bottom: r.bottom, row: el.classList.contains('list-row'), head: head ? head.getBoundingClientRect().height : 0 };
  });
  for (const i of pageStarts(blocks, pageHeight)) {
    const row = children[i];
    const head = heads.get(row.dataset.list ?? '');
    if (!head) continue;
    const copy = head.cloneNode(true) as HTMLElement;
    copy.classList.remove('list-head');
    copy.classList.add('repeat-head');
    row.before(copy);
  }
}

