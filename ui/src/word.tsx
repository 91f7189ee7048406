// Importing Word 教案: the teacher names files or folders (one per line),
// previews what goes into which field — and what is kept in the notes
// because it fits no field — then imports. Nothing is saved by a preview.

import { useState } from 'preact/hooks';
import { api, asAppError } from './api';
import { useApp } from './ctx';
import { fieldAt } from './errors';
import type { WordImport } from './generated/WordImport';

/** The lines of the paths box, without blanks. */
export function pathsOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function WordImportDialog(props: { close: () => void; opened: (id: string) => void; imported: () => void }) {
  const { t, explain, schema, lang } = useApp();
  const [paths, setPaths] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<{ r: WordImport; dry: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const label = (field: string) => (field === 'title' ? t('title_label') : fieldAt(schema, field, lang)?.label ?? field);
  const run = async (dry: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.importDocx(pathsOf(paths), dry);
      setReport({ r, dry });
      if (!dry && r.imported > 0) props.imported();
    } catch (e) {
      setReport(null);
      setError(explain(asAppError(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="dialog-backdrop">
      <div class="dialog word-dialog" role="dialog" aria-modal="true" aria-labelledby="word-title">
        <h2 id="word-title">{t('word_import_title')}</h2>
        <p>{t('word_import_body')}</p>
        <label class="field">
          <span class="label">{t('word_paths')}</span>
          <textarea name="paths" rows={3} value={paths} onInput={(e) => setPaths(e.currentTarget.value)} />
        </label>
        {error && <p class="field-error" role="alert">{error}</p>}
        {report && (
          <div class="word-report" role="status">
            <p class="word-summary">
              {t(report.dry ? 'word_can_import' : 'word_imported', { n: report.r.imported, total: report.r.files.length })}
              {report.r.failed > 0 ? ` ${t('word_failed', { n: report.r.failed })}` : ''}
            </p>
            {report.r.files.map((f) => (
              <details class={`word-file ${f.error ? 'failed' : ''}`} open={report.dry && report.r.files.length === 1}>
                <summary>
                  {f.error ? `✗ ${f.file}: ${f.error}` : `${f.title ?? f.file} — ${t('word_fields', { n: f.placed.length, notes: f.notes.length })}`}
                  {f.id && (
                    <button type="button" class="link" onClick={() => props.opened(f.id as string)}>
                      {t('word_open')}
                    </button>
                  )}
                </summary>
                <ul>
                  {f.placed.map((p) => (
                    <li>
                      <span class="word-field">{label(p.field)}</span> ← {p.text.length > 80 ? `${p.text.slice(0, 80)}…` : p.text}
                    </li>
                  ))}
                  {f.notes.map((n) => (
                    <li class="word-note">
                      <span class="word-field">{t('word_notes')}</span> ← {n.length > 80 ? `${n.slice(0, 80)}…` : n}
                    </li>
                  ))}
                </ul>
              </details>
            ))}
          </div>
        )}
        <div class="actions">
          <button type="button" onClick={props.close}>{t('close')}</button>
          <button type="button" class="word-preview" disabled={busy || pathsOf(paths).length === 0} onClick={() => void run(true)}>
            {t('word_preview')}
          </button>
          <button type="button" class="primary word-import" disabled={busy || pathsOf(paths).length === 0} onClick={() => void run(false)}>
            {t('word_import')}
          </button>
        </div>
      </div>
    </div>
  );
}
