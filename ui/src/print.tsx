import { useEffect, useState } from 'preact/hooks';
import { api, asAppError } from './api';
import { useApp } from './ctx';
import { pick } from './i18n';
import type { DocView } from './generated/DocView';
import type { FieldInfo } from './generated/FieldInfo';
import type { KindInfo } from './generated/KindInfo';
import type { Lang } from './i18n';

/** The lesson plan header fields printed as the 教案 form's grid, two per row. */
export const LESSON_HEADER = ['course', 'chapter', 'session_type', 'learner_level', 'learner_count', 'class_hours', 'hours_split', 'date', 'site', 'lead_preparer', 'co_preparers'];

/** Sections a case's student version leaves out. */
export const TEACHER_ONLY_SECTIONS = ['teacher', 'workflow'];

/** The printed text of a value: choice labels in the UI's language. */
export function printValue(f: FieldInfo, v: unknown, lang: Lang): string {
  if (v === null || v === undefined || v === '') return '';
  if (f.input.type === 'choice') {
    const c = f.input.choices.find((c) => c.value === v);
    return c ? pick(c.label, lang) : String(v);
  }
  return String(v);
}

/** The sections to print for a kind and version. */
export function printedSections(kind: KindInfo, teacher: boolean) {
  return kind.sections.filter((s) => (kind.kind === 'case' && !teacher ? !TEACHER_ONLY_SECTIONS.includes(s.key) : true));
}

export function PrintView(props: { id: string; teacher: boolean; at?: string; back: () => void }) {
  const { t, lang, schema } = useApp();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    (props.at ? api.at(props.id, props.at) : api.get(props.id)).then(setDoc, (e) => setError(asAppError(e).message));
  }, [props.id, props.at]);

  if (error) return <p class="field-error">{error}</p>;
  if (!doc) return <p class="muted">{t('loading')}</p>;
  const kind = schema.kinds.find((k) => k.kind === doc.summary.kind);
  if (!kind) return null;
  const v = doc.fields;
  const allFields = kind.sections.flatMap((s) => s.fields);
  const field = (key: string) => allFields.find((f) => f.key === key);
  const isLesson = kind.kind === 'lesson_plan';
  const sections = printedSections(kind, props.teacher).map((s) => ({
    ...s,
    fields: isLesson ? s.fields.filter((f) => !LESSON_HEADER.includes(f.key)) : s.fields,
  })).filter((s) => s.fields.length > 0);

  const header = LESSON_HEADER.map(field).filter((f): f is FieldInfo => !!f);
  const pairs: FieldInfo[][] = [];
  for (let i = 0; i < header.length; i += 2) pairs.push(header.slice(i, i + 2));

  return (
    <div class="print-wrap">
      <div class="print-tools no-print">
        <button onClick={props.back}>← {t('back')}</button>
        <button class="primary" onClick={() => window.print()}>{t('print_now')}</button>
      </div>
      <article class={`sheet ${isLesson ? 'lesson' : 'case'}`} lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <h1 class="sheet-title">{isLesson ? t('lp_print_title') : t('case_print_title')}</h1>
        <h2 class="sheet-subtitle">
          {doc.summary.title}
          {!isLesson && <span class="version"> · {props.teacher ? t('teacher_version') : t('student_version')}</span>}
        </h2>
        <table class="form">
          <colgroup>
            <col class="th" />
            <col />
            <col class="th" />
            <col />
          </colgroup>
          <tbody>
            {isLesson &&
              pairs.map((p) => (
                <tr>
                  {p.map((f) => (
                    <>
                      <th scope="row">{pick(f.label, lang)}</th>
                      <td colSpan={p.length === 1 ? 3 : 1}>{printValue(f, v[f.key], lang)}</td>
                    </>
                  ))}
                </tr>
              ))}
            {sections.map((s) => (
              <tr class="section-row">
                <th scope="row">{pick(s.label, lang)}</th>
                <td colSpan={3}>
                  {s.fields.map((f) => (
                    <PrintField f={f} value={v[f.key]} lang={lang} single={s.fields.length === 1} />
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </article>
    </div>
  );
}

function PrintField(props: { f: FieldInfo; value: unknown; lang: Lang; single: boolean }) {
  const { f, value, lang } = props;
  if (f.input.type === 'list') {
    const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    if (!rows.length) return null;
    const item = f.input.item;
    return (
      <div class="print-field">
        {!props.single && <div class="print-label">{pick(f.label, lang)}</div>}
        <table class={`inner list-${f.key}`}>
          <thead>
            <tr>{item.map((c) => <th class={`col-${c.key}`}>{pick(c.label, lang)}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>{item.map((c) => <td class={`col-${c.key}`}>{printValue(c, r[c.key], lang)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  const text = printValue(f, value, lang);
  if (!text) return null;
  return (
    <div class="print-field">
      {!props.single && <span class="print-label">{pick(f.label, lang)}：</span>}
      <span class="print-text">{text}</span>
    </div>
  );
}
