// The editor's "Export" menu: the document as Markdown, as an editable Word
// file, or as PDF (laid out by rounds-pdf, the same file `rounds export
// --format pdf` writes), each for a kind with teacher-only sections also as
// the student version. One menu instead of a button per format keeps the
// editor's bar on one line at 1366 px in both languages.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { printFileName } from './print';
import type { DocView } from './generated/DocView';
import type { KindInfo } from './generated/KindInfo';
import type { PdfSaved } from './generated/PdfSaved';
import type { Key } from './i18n';

type Translate = (key: Key, params?: Record<string, string | number>) => string;

/** What the teacher is told after a PDF is written: where, and any character the bundled fonts lack (printed as 〓). */
export function pdfNotice(r: PdfSaved, t: Translate): string {
  const where = t('exported_to', { path: r.path });
  return r.missing.length === 0 ? where : `${where} ${t('pdf_missing', { n: r.missing.length, chars: r.missing.join(' ') })}`;
}

export function ExportMenu(props: {
  id: string;
  doc: DocView;
  kind: KindInfo;
  /** The earlier version shown, if any: PDF is of that version; Markdown and Word only of the current one. */
  at: string | null;
  flush: () => Promise<void>;
  onNotice: (m: string) => void;
  onError: (e: unknown) => void;
}) {
  const { t, lang } = useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);

  const versions = props.kind.teacher_only.length > 0;
  const name = printFileName(String(props.doc.fields.title ?? props.doc.summary.title), props.doc.fields.date);
  const student = (n: string) => `${n} ${t('student_version')}`;
  const run = async (f: () => Promise<string>) => {
    setOpen(false);
    setBusy(true);
    try {
      await props.flush();
      props.onNotice(await f());
    } catch (e) {
      props.onError(e);
    } finally {
      setBusy(false);
    }
  };
  const md = () => run(async () => t('exported_to', { path: await api.exportMarkdown(props.id, lang, name) }));
  const docx = (s: boolean) => run(async () => t('exported_to', { path: await api.exportDocx(props.id, lang, s ? student(name) : name, s) }));
  const pdf = (s: boolean) => run(async () => pdfNotice(await api.exportPdf(props.id, lang, s ? student(name) : name, s, props.at), t));
  const current = props.at === null;

  return (
    <div class="menu export-menu" ref={box}>
      <button class="export-open" aria-haspopup="menu" aria-expanded={open} disabled={busy} onClick={() => setOpen(!open)}>
        {busy ? t('exporting') : t('export')} ▾
      </button>
      {open && (
        <div class="menu-list" role="menu">
          <button role="menuitem" class="export-pdf" onClick={() => void pdf(false)}>{versions ? t('export_pdf_teacher') : t('export_pdf')}</button>
          {versions && <button role="menuitem" class="export-pdf-student" onClick={() => void pdf(true)}>{t('export_pdf_student')}</button>}
          <button role="menuitem" class="export-docx" disabled={!current} onClick={() => void docx(false)}>{versions ? t('export_docx_teacher') : t('export_docx')}</button>
          {versions && <button role="menuitem" class="export-docx-student" disabled={!current} onClick={() => void docx(true)}>{t('export_docx_student')}</button>}
          <button role="menuitem" class="export-md" disabled={!current} onClick={() => void md()}>{t('export_md')}</button>
        </div>
      )}
    </div>
  );
}
