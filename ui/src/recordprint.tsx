// A plan's review record on paper (审核记录): the review track's decisions,
// each reviewer's rubric scores with the total, notes, recommendation,
// comment and declared conflict of interest, in the UI's language. Printed
// or saved as PDF like a plan (print.tsx).

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { pick } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { DocView } from './generated/DocView';
import type { KeyLabel } from './generated/KeyLabel';
import { PrintTools, printFileName } from './print';

function labelOf(table: KeyLabel[], key: string, lang: 'zh' | 'en'): string {
  const k = table.find((x) => x.key === key);
  return k ? pick(k.label, lang) : key;
}

/** A time as the record prints it: the day and the minute, local time. */
export function recordTime(ms: number, lang: 'zh' | 'en'): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = lang === 'zh' ? `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日` : `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function RecordPrint(props: { id: string; back: () => void }) {
  const { t, lang, explain } = useApp();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [c, setC] = useState<CollabView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api.get(props.id), api.collab(props.id)]).then(([d, v]) => {
      setDoc(d);
      setC(v);
    }, (e) => setError(explain(e)));
  }, [props.id]);
  if (error) return <p class="field-error">{error}</p>;
  if (!doc || !c) return <p class="muted">{t('loading')}</p>;
  const name = `${t('review_record')} ${printFileName(doc.summary.title, null)}`;
  return (
    <div class="print-wrap">
      <PrintTools name={name} back={props.back} onError={setError} />
      <article class="sheet sheet-record" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <h1 class="sheet-title">{t('review_record')}</h1>
        <h2 class="sheet-subtitle">{doc.summary.title}</h2>
        <table class="form head">
          <tbody>
            <tr>
              <th scope="row">{t('record_state')}</th>
              <td>{c.review_state ? labelOf(c.review_states, c.review_state.value, lang) : t('record_not_submitted')}</td>
            </tr>
            {c.group && (
              <tr>
                <th scope="row">{t('lead_preparer')}</th>
                <td>{c.group.lead_name}</td>
              </tr>
            )}
          </tbody>
        </table>
        {c.decisions.length > 0 && (
          <table class="form record-decisions">
            <thead>
              <tr>
                <th>{t('record_when')}</th>
                <th>{t('record_decision')}</th>
                <th>{t('record_by')}</th>
                <th>{t('record_note')}</th>
              </tr>
            </thead>
            <tbody>
              {c.decisions.map((d) => (
                <tr>
                  <td>{recordTime(d.at, lang)}</td>
                  <td>{labelOf(c.review_states, d.value, lang)}</td>
                  <td>{d.name}</td>
                  <td>{d.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {c.reviews.map((r) => {
          const rubric = c.rubrics.find((x) => x.name === r.rubric);
          const criteria = rubric ? rubric.criteria.map((k) => ({ key: k.key, label: pick(k.label, lang) })) : Object.keys(r.scores).map((k) => ({ key: k, label: k }));
          const max = rubric ? rubric.max * rubric.criteria.length : 0;
          return (
            <section class="record-review">
              <h3>
                {t('record_reviewer')} {r.name} · {rubric ? pick(rubric.label, lang) : r.rubric}
              </h3>
              {r.coi && <p class="record-coi">{t('coi_declared', { coi: r.coi })}</p>}
              <table class="form record-scores">
                <thead>
                  <tr>
                    <th>{t('record_criterion')}</th>
                    <th>{t('record_score')}</th>
                    <th>{t('criterion_note')}</th>
                  </tr>
                </thead>
                <tbody>
                  {criteria.map((k) => (
                    <tr>
                      <td>{k.label}</td>
                      <td class="num">{r.scores[k.key] === undefined ? '—' : rubric ? `${r.scores[k.key]}/${rubric.max}` : String(r.scores[k.key])}</td>
                      <td>{r.notes[k.key] ?? ''}</td>
                    </tr>
                  ))}
                  <tr class="record-total">
                    <th scope="row">{t('record_total')}</th>
                    <td class="num">{max ? `${r.total}/${max}` : String(r.total)}</td>
                    <td />
                  </tr>
                </tbody>
              </table>
              {r.recommendation && (
                <p>
                  <strong>{t('recommendation')}</strong>：{labelOf(c.recommendations, r.recommendation, lang)}
                </p>
              )}
              {r.comment && <p class="record-comment">{r.comment}</p>}
            </section>
          );
        })}
        {c.reviews.length === 0 && <p class="muted">{t('record_no_reviews')}</p>}
      </article>
    </div>
  );
}
