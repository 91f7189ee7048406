// The group and stage bar at the top of a plan (lead, participants with
// their sites, the stage with its due date, the review state, best
// versions, and the actions this member may take), the group editor, the
// site-copy banner (二次备课) and the reflection form.

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { formatTime, pick } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { GroupMember } from './generated/GroupMember';
import type { FieldDiffView } from './generated/FieldDiffView';

export type Panel = 'group' | 'review' | 'compare' | 'reflect' | null;

const label = (c: CollabView, table: 'stage_table' | 'review_states' | 'recommendations', key: string, lang: 'zh' | 'en') => {
  const row = c[table].find((r) => r.key === key);
  return row ? pick(row.label, lang) : key;
};

export const stageLabel = (c: CollabView, key: string, lang: 'zh' | 'en') => label(c, 'stage_table', key, lang);
export const reviewLabel = (c: CollabView, key: string, lang: 'zh' | 'en') => label(c, 'review_states', key, lang);
export const recommendationLabel = (c: CollabView, key: string, lang: 'zh' | 'en') => label(c, 'recommendations', key, lang);

export function CollabBar(props: { id: string; collab: CollabView; onCollab: (v: CollabView) => void; open: (p: Panel) => void; onAdapt: () => void; onError: (e: unknown) => void; siteCopy?: { id: string; title: string }; openDoc: (id: string) => void }) {
  const { t, lang } = useApp();
  const c = props.collab;
  const g = c.group;
  // A group whose stage nobody has moved yet is at the first one (个人初备).
  const current = c.stage?.value ?? (g ? (c.stage_table[0]?.key ?? null) : null);
  const i = current ? c.stage_table.findIndex((s) => s.key === current) : -1;
  const next = g ? c.stage_table[i + 1] : undefined;
  const best = c.best[c.best.length - 1];
  const move = async (stage: string) => {
    try {
      props.onCollab(await api.moveStage(props.id, stage));
    } catch (e) {
      props.onError(e);
    }
  };
  return (
    <section class="collab-bar no-print" aria-label={t('collab_bar')}>
      <div class="collab-people">
        {g ? (
          <>
            <span class="person lead" title={t('lead_preparer')}>
              <span class="role-tag">{t('lead_preparer')}</span> {g.lead_name}
            </span>
            <span class="role-tag">{t('participants')}</span>
            {g.participants.length === 0 && <span class="muted">—</span>}
            {g.participants.map((p) => (
              <span class="person" title={p.edit ? t('may_edit') : t('comment_only')}>
                {p.name}
                {p.site && <span class="site">（{p.site}）</span>}
                {!p.edit && <span class="muted small"> · {t('comment_only')}</span>}
              </span>
            ))}
          </>
        ) : (
          <span class="muted">{c.me ? t('no_group') : t('collab_join_first')}</span>
        )}
        {c.allowed.set_group && (
          <button type="button" class="edit-group" onClick={() => props.open('group')}>
            {g ? t('edit_group') : t('make_group')}
          </button>
        )}
        <div class="spacer" />
        {best && (
          <span class="chip best-badge" title={t('best_by', { name: best.by_name, time: formatTime(best.at, lang) })}>
            ★ {t('best')} · {best.name}
          </span>
        )}
        {c.review_state && <span class={`chip review-chip review-${c.review_state.value}`}>{t('review')}: {reviewLabel(c, c.review_state.value, lang)}</span>}
        <button type="button" class="open-review" onClick={() => props.open('review')}>{t('review_panel')}</button>
        <button type="button" class="open-compare" onClick={() => props.open('compare')}>{t('compare')}</button>
        {(c.allowed.reflect || c.reflections.length > 0) && (
          <button type="button" class="open-reflect" onClick={() => props.open('reflect')}>
            {t('reflection')}
            {c.reflections.length > 0 && ` (${c.reflections.length})`}
          </button>
        )}
        {c.allowed.adapt &&
          (props.siteCopy ? (
            <button type="button" class="open-site-copy" title={props.siteCopy.title} onClick={() => props.openDoc(props.siteCopy!.id)}>{t('open_site_copy')}</button>
          ) : (
            <button type="button" class="adapt" onClick={props.onAdapt}>{t('adapt')}</button>
          ))}
      </div>
      <div class="collab-stages">
        {g && (
          <ol class="stages" aria-label={t('stage')}>
            {c.stage_table.map((s, j) => (
              <li class={`${s.key === current ? 'current' : ''} ${j < i ? 'done' : ''}`} data-stage={s.key}>
                {pick(s.label, lang)}
                {g.due[s.key] && <span class="due">{t('due', { date: g.due[s.key] })}</span>}
              </li>
            ))}
          </ol>
        )}
        {g && c.allowed.move_stage && next && (
          <button type="button" class="next-stage" onClick={() => void move(next.key)}>
            {t('next_stage', { stage: pick(next.label, lang) })} →
          </button>
        )}
      </div>
    </section>
  );
}

export function GroupEditor(props: { id: string; collab: CollabView; close: () => void; onCollab: (v: CollabView) => void; onError: (e: unknown) => void }) {
  const { t, lang } = useApp();
  const c = props.collab;
  const g = c.group;
  const asMember = (id: string): GroupMember | null => {
    const m = c.members.find((x) => x.id === id);
    return m ? { member: m.id, name: m.name, site: m.site, edit: false } : null;
  };
  const [lead, setLead] = useState(g?.lead ?? c.me?.id ?? '');
  const [picked, setPicked] = useState<Record<string, { on: boolean; edit: boolean }>>(() => Object.fromEntries((g?.participants ?? []).map((p) => [p.member, { on: true, edit: p.edit }])));
  const [due, setDue] = useState<Record<string, string>>(() => ({ ...(g?.due ?? {}) }));
  // Colleagues who joined since the directory was last fetched can be picked.
  useEffect(() => {
    api.refreshDirectory(props.id).then(props.onCollab, () => {});
  }, [props.id]);
  // Members the directory no longer lists stay in the group as they were.
  const people = [...c.members.map((m) => ({ member: m.id, name: m.name, site: m.site })), ...(g?.participants ?? []).filter((p) => !c.members.some((m) => m.id === p.member))];
  const save = async () => {
    const leadM = asMember(lead) ?? (g && g.lead === lead ? { member: g.lead, name: g.lead_name, site: '', edit: true } : null);
    if (!leadM) return;
    const participants = people
      .filter((p) => p.member !== lead && picked[p.member]?.on)
      .map((p) => ({ member: p.member, name: p.name, site: p.site, edit: picked[p.member].edit }));
    try {
      props.onCollab(await api.setGroup(props.id, { lead: { ...leadM, edit: true }, participants, due }));
      props.close();
    } catch (e) {
      props.onError(e);
    }
  };
  return (
    <div class="dialog-backdrop">
      <div class="dialog group-dialog" role="dialog" aria-modal="true" aria-label={t('group_title')}>
        <h2>{t('group_title')}</h2>
        <label class="field">
          <span class="label">{t('lead_preparer')}</span>
          <select name="lead" value={lead} onChange={(e) => setLead(e.currentTarget.value)}>
            {people.map((p) => (
              <option value={p.member}>{p.name}{p.site ? `（${p.site}）` : ''}</option>
            ))}
          </select>
        </label>
        <div class="field">
          <span class="label">{t('participants')}</span>
          {c.members.length === 0 && <p class="muted small">{t('no_directory')}</p>}
          <ul class="group-members">
            {people
              .filter((p) => p.member !== lead)
              .map((p) => {
                const s = picked[p.member] ?? { on: false, edit: false };
                return (
                  <li data-member={p.member}>
                    <label>
                      <input type="checkbox" class="pick" checked={s.on} onChange={(e) => setPicked({ ...picked, [p.member]: { ...s, on: e.currentTarget.checked } })} /> {p.name}
                      {p.site && <span class="muted"> · {p.site}</span>}
                    </label>
                    <select class="can" value={s.edit ? 'edit' : 'comment'} disabled={!s.on} onChange={(e) => setPicked({ ...picked, [p.member]: { ...s, edit: e.currentTarget.value === 'edit' } })}>
                      <option value="comment">{t('comment_only')}</option>
                      <option value="edit">{t('may_edit')}</option>
                    </select>
                  </li>
                );
              })}
          </ul>
        </div>
        <div class="field">
          <span class="label">{t('due_dates')}</span>
          <div class="due-grid">
            {c.stage_table.map((s) => (
              <label>
                <span>{pick(s.label, lang)}</span>
                <input name={`due-${s.key}`} placeholder="YYYY-MM-DD" value={due[s.key] ?? ''} onInput={(e) => setDue({ ...due, [s.key]: e.currentTarget.value })} />
              </label>
            ))}
          </div>
        </div>
        <div class="actions">
          <button type="button" onClick={props.close}>{t('cancel')}</button>
          <button type="button" class="primary save-group" onClick={() => void save()}>{t('save')}</button>
        </div>
      </div>
    </div>
  );
}

/** Pieces of a field's diff: deletions struck through, insertions marked. */
export function DiffText(props: { d: FieldDiffView; side?: 'old' | 'new' }) {
  return (
    <p class="diff">
      {props.d.pieces.map((p) =>
        p.op === 'same' ? <span>{p.text}</span> : p.op === 'deleted' ? (props.side === 'new' ? null : <del>{p.text}</del>) : props.side === 'old' ? null : <ins>{p.text}</ins>,
      )}
    </p>
  );
}

/** On a site copy: the shared plan it follows, and when that changed, what changed and "take these changes". */
export function SiteBanner(props: { collab: CollabView; onTake: () => void; open: (id: string) => void }) {
  const { t, lang } = useApp();
  const up = props.collab.upstream;
  const [diff, setDiff] = useState(false);
  if (!up) return null;
  if (!up.changed)
    return (
      <div class="banner info site-banner no-print">
        <span>{up.available ? t('site_copy_of', { title: up.title }) : t('site_copy_missing', { title: up.title })}</span>
        {up.available && <button type="button" onClick={() => props.open(up.doc)}>{t('open_shared_plan')}</button>}
      </div>
    );
  return (
    <div class="banner warn site-banner changed no-print" role="status">
      <div class="site-banner-body">
        <span>
          {t('upstream_changed', { title: up.title })} <span class="muted">({up.diff.map((d) => pick(d.label, lang)).join('、')})</span>
        </span>
        {diff && (
          <div class="upstream-diff">
            {up.diff.map((d) => (
              <div class="version-change">
                <strong>{pick(d.label, lang)}</strong>
                <DiffText d={d} />
              </div>
            ))}
          </div>
        )}
      </div>
      <button type="button" class="show-upstream-diff" onClick={() => setDiff(!diff)}>{diff ? t('hide_changes') : t('show_changes')}</button>
      <button type="button" class="primary take-upstream" onClick={props.onTake}>{t('take_upstream')}</button>
    </div>
  );
}

export function ReflectDialog(props: { id: string; collab: CollabView; close: () => void; onCollab: (v: CollabView) => void; onError: (e: unknown) => void }) {
  const { t, lang } = useApp();
  const [worked, setWorked] = useState('');
  const [change, setChange] = useState('');
  const [hard, setHard] = useState('');
  const c = props.collab;
  const save = async () => {
    try {
      props.onCollab(await api.reflect(props.id, worked, change, hard));
      setWorked('');
      setChange('');
      setHard('');
    } catch (e) {
      props.onError(e);
    }
  };
  return (
    <div class="dialog-backdrop" onClick={props.close}>
      <div class="dialog reflect-dialog" role="dialog" aria-modal="true" aria-label={t('reflection')} onClick={(e) => e.stopPropagation()}>
        <h2>{t('reflection')}</h2>
        {c.reflections.map((r) => (
          <div class="reflection">
            <div class="msg-head"><strong>{r.name}</strong> <span class="muted small">{formatTime(r.at, lang)}</span></div>
            {r.worked && <p><b>{t('reflect_worked')}</b> {r.worked}</p>}
            {r.change && <p><b>{t('reflect_change')}</b> {r.change}</p>}
            {r.difficulties && <p><b>{t('reflect_difficulties')}</b> {r.difficulties}</p>}
          </div>
        ))}
        {c.allowed.reflect && (
          <>
            <label class="field"><span class="label">{t('reflect_worked')}</span><textarea name="worked" rows={2} value={worked} onInput={(e) => setWorked(e.currentTarget.value)} /></label>
            <label class="field"><span class="label">{t('reflect_change')}</span><textarea name="change" rows={2} value={change} onInput={(e) => setChange(e.currentTarget.value)} /></label>
            <label class="field"><span class="label">{t('reflect_difficulties')}</span><textarea name="difficulties" rows={2} value={hard} onInput={(e) => setHard(e.currentTarget.value)} /></label>
          </>
        )}
        <div class="actions">
          <button type="button" onClick={props.close}>{t('close')}</button>
          {c.allowed.reflect && <button type="button" class="primary" disabled={!(worked.trim() || change.trim() || hard.trim())} onClick={() => void save()}>{t('reflect_save')}</button>}
        </div>
      </div>
    </div>
  );
}
