// The review panel: the track's state and decisions, submitting (the owner
// or lead preparer), deciding (lead teachers and office admins: approve,
// request changes, reject, publish, with a note), the rubric form (each
// criterion 1–5 with a note, a comment, a recommendation and any conflict
// of interest), every reviewer's scores with totals, marking a best version
// (精华), and the review record as Markdown to copy or print.

import { useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { reviewStepAllowed } from './collab';
import { recommendationLabel, reviewLabel } from './group';
import { copyText } from './versions';
import { formatTime, pick } from './i18n';
import type { CollabView } from './generated/CollabView';

const DECISIONS = ['in_review', 'approved', 'changes_requested', 'rejected', 'published'] as const;
const DECISION_KEYS = { in_review: 'decide_in_review', approved: 'decide_approved', changes_requested: 'decide_changes_requested', rejected: 'decide_rejected', published: 'decide_published' } as const;

export function ReviewPanel(props: { id: string; collab: CollabView; close: () => void; onCollab: (v: CollabView) => void; onError: (e: unknown) => void; notice: (m: string) => void; printRecord?: () => void }) {
  const { t, lang } = useApp();
  const c = props.collab;
  const state = c.review_state?.value ?? null;
  const mine = c.reviews.find((r) => r.reviewer === c.me?.id);
  const [note, setNote] = useState('');
  const [rubricName, setRubricName] = useState(mine?.rubric ?? c.rubrics[0]?.name ?? '');
  const rubric = c.rubrics.find((r) => r.name === rubricName) ?? c.rubrics[0];
  const [scores, setScores] = useState<Record<string, number>>(() => ({ ...(mine?.scores ?? {}) }));
  const [notes, setNotes] = useState<Record<string, string>>(() => ({ ...(mine?.notes ?? {}) }));
  const [comment, setComment] = useState(mine?.comment ?? '');
  const [recommendation, setRecommendation] = useState(mine?.recommendation ?? '');
  const [coi, setCoi] = useState(mine?.coi ?? '');
  const [hasCoi, setHasCoi] = useState(Boolean(mine?.coi));
  const [record, setRecord] = useState<string | null>(null);
  const [bestName, setBestName] = useState('');

  const act = async (f: () => Promise<CollabView>, after?: () => void) => {
    try {
      props.onCollab(await f());
      after?.();
    } catch (e) {
      props.onError(e);
    }
  };
  const decide = (s: string) => act(() => api.reviewDecision(props.id, s, note), () => setNote(''));
  const score = () =>
    act(() => api.writeReview(props.id, { rubric: rubric.name, scores, notes, comment, recommendation, coi: hasCoi ? coi : '' }), () => props.notice(t('review_saved')));
  const complete = rubric ? rubric.criteria.every((k) => typeof scores[k.key] === 'number') : false;
  const allCriteria = (name: string) => c.rubrics.find((r) => r.name === name)?.criteria ?? [];
  const showRecord = async () => {
    try {
      setRecord(await api.reviewRecord(props.id, lang));
    } catch (e) {
      props.onError(e);
    }
  };

  return (
    <div class="dialog-backdrop" onClick={props.close}>
      <div class="dialog review-dialog" role="dialog" aria-modal="true" aria-label={t('review_panel')} onClick={(e) => e.stopPropagation()}>
        <h2>
          {t('review_panel')}
          <span class="chip review-state">{state ? reviewLabel(c, state, lang) : t('not_submitted')}</span>
        </h2>
        {c.decisions.length > 0 && (
          <ol class="decisions">
            {c.decisions.map((d) => (
              <li>
                <strong>{reviewLabel(c, d.value, lang)}</strong> · {d.name} <span class="muted small">{formatTime(d.at, lang)}</span>
                {d.note && <span class="note">“{d.note}”</span>}
              </li>
            ))}
          </ol>
        )}
        {(c.allowed.submit || c.allowed.decide_review) && (
          <div class="review-actions">
            <input name="note" placeholder={t('decision_note')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            {c.allowed.submit && (
              <button type="button" class="primary submit-review" onClick={() => void decide('submitted')}>{t('submit_review')}</button>
            )}
            {c.allowed.decide_review &&
              DECISIONS.filter((s) => reviewStepAllowed(state, s)).map((s) => (
                <button type="button" class={`decide decide-${s} ${s === 'approved' || s === 'published' ? 'primary' : s === 'rejected' ? 'danger' : ''}`} onClick={() => void decide(s)}>
                  {t(DECISION_KEYS[s])}
                </button>
              ))}
          </div>
        )}
        {c.reviews.length > 0 && (
          <div class="review-scores">
            <h3>{t('reviews')}</h3>
            {c.reviews.map((r) => (
              <table class="scores">
                <caption>
                  <strong>{r.name}</strong> · {pick(c.rubrics.find((x) => x.name === r.rubric)?.label ?? { zh: r.rubric, en: r.rubric }, lang)} · {t('total', { n: r.total })}
                  {r.recommendation && <> · {recommendationLabel(c, r.recommendation, lang)}</>}
                </caption>
                <tbody>
                  {allCriteria(r.rubric).map((k) => (
                    <tr>
                      <th>{pick(k.label, lang)}</th>
                      <td class="score">{r.scores[k.key] ?? '—'}</td>
                      <td class="muted">{r.notes[k.key] ?? ''}</td>
                    </tr>
                  ))}
                  {r.comment && (
                    <tr><td colSpan={3}>{r.comment}</td></tr>
                  )}
                  {r.coi && (
                    <tr><td colSpan={3} class="warn">{t('coi_declared', { coi: r.coi })}</td></tr>
                  )}
                </tbody>
              </table>
            ))}
          </div>
        )}
        {c.allowed.score && rubric && (
          <form class="rubric-form" onSubmit={(e) => { e.preventDefault(); void score(); }}>
            <h3>{mine ? t('your_review_again') : t('your_review')}</h3>
            <select name="rubric" value={rubric.name} onChange={(e) => setRubricName(e.currentTarget.value)}>
              {c.rubrics.map((r) => (
                <option value={r.name}>{pick(r.label, lang)}</option>
              ))}
            </select>
            <table class="rubric">
              <tbody>
                {rubric.criteria.map((k) => (
                  <tr data-criterion={k.key}>
                    <th>{pick(k.label, lang)}</th>
                    <td class="scale">
                      {Array.from({ length: Number(rubric.max) - Number(rubric.min) + 1 }, (_, j) => Number(rubric.min) + j).map((n) => (
                        <label class={scores[k.key] === n ? 'on' : ''}>
                          <input type="radio" name={`score-${k.key}`} value={n} checked={scores[k.key] === n} onChange={() => setScores({ ...scores, [k.key]: n })} />
                          {n}
                        </label>
                      ))}
                    </td>
                    <td><input class="criterion-note" placeholder={t('criterion_note')} value={notes[k.key] ?? ''} onInput={(e) => setNotes({ ...notes, [k.key]: e.currentTarget.value })} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <textarea name="comment" rows={2} placeholder={t('review_comment')} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
            <div class="rubric-foot">
              <label>
                {t('recommendation')}{' '}
                <select name="recommendation" value={recommendation} onChange={(e) => setRecommendation(e.currentTarget.value)}>
                  <option value="">—</option>
                  {c.recommendations.map((r) => (
                    <option value={r.key}>{pick(r.label, lang)}</option>
                  ))}
                </select>
              </label>
              <label class="coi-check">
                <input type="checkbox" checked={hasCoi} onChange={(e) => setHasCoi(e.currentTarget.checked)} /> {t('coi')}
              </label>
              {hasCoi && <input name="coi" placeholder={t('coi_what')} value={coi} onInput={(e) => setCoi(e.currentTarget.value)} />}
              <span class="muted">{t('total', { n: Object.values(scores).reduce((a, b) => a + b, 0) })}</span>
              <div class="spacer" />
              <button type="submit" class="primary" disabled={!complete}>{t('save_review')}</button>
            </div>
          </form>
        )}
        {c.allowed.mark_best && (
          <div class="mark-best">
            <input name="best" placeholder={t('best_name')} value={bestName} onInput={(e) => setBestName(e.currentTarget.value)} />
            <button type="button" disabled={!bestName.trim()} onClick={() => void act(() => api.markBest(props.id, bestName.trim()), () => setBestName(''))}>
              ★ {t('mark_best')}
            </button>
          </div>
        )}
        {record !== null && (
          <div class="record">
            <pre class="review-record">{record}</pre>
            <button type="button" onClick={() => void copyText(record).then(() => props.notice(t('copied')))}>{t('copy_text')}</button>
          </div>
        )}
        <div class="actions">
          <button type="button" class="show-record" onClick={() => void showRecord()}>{t('review_record')}</button>
          {props.printRecord && (
            <button type="button" class="print-record" onClick={props.printRecord}>
              {t('print_record')}
            </button>
          )}
          <div class="spacer" />
          <button type="button" onClick={props.close}>{t('close')}</button>
        </div>
      </div>
    </div>
  );
}
