import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, asAppError } from './api';
import { Autosaver, type SaveState } from './autosave';
import { useApp } from './ctx';
import { addRow, adoptIds, displayValue, moveRow, parseInput, parseTags, removeRow, rowsFromStore, rowsToStore, type Json, type Row } from './form';
import { formatTime, pick } from './i18n';
import type { DocView } from './generated/DocView';
import type { FieldInfo } from './generated/FieldInfo';
import type { Finding } from './generated/Finding';
import type { HistoryItem } from './generated/HistoryItem';
import type { KindInfo } from './generated/KindInfo';

type Values = Record<string, unknown>;

/** The editor's copy of a document: plain values, and list fields as rows with UI keys. */
function toValues(kind: KindInfo, fields: Record<string, unknown>): Values {
  const v: Values = { ...fields };
  for (const s of kind.sections) for (const f of s.fields) if (f.input.type === 'list') v[f.key] = rowsFromStore(fields[f.key]);
  return v;
}

export function Editor(props: { id: string; back: () => void; open: (id: string) => void; print: (teacher: boolean, at?: string) => void; onError: (m: string) => void; remoteTick: number }) {
  const { t, lang, schema } = useApp();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [values, setValues] = useState<Values>({});
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<HistoryItem[] | null>(null);
  const [version, setVersion] = useState<{ item: HistoryItem; view: DocView } | null>(null);
  const [shareOpen, setShareOpen] = useState(false);
  const [attested, setAttested] = useState(false);
  const valuesRef = useRef(values);
  valuesRef.current = values;
  // The lists as last sent, to give their new rows the ids the store assigns.
  const sentLists = useRef<Record<string, Row[]>>({});

  const saver = useMemo(
    () =>
      new Autosaver(
        async (patch) => {
          for (const [k, v] of Object.entries(patch)) if (Array.isArray(v)) sentLists.current[k] = valuesRef.current[k] as Row[];
          const body: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(patch)) body[k] = Array.isArray(v) && k !== 'tags' ? rowsToStore(v as unknown as Row[]) : v;
          try {
            const saved = await api.edit(props.id, body);
            setFieldErrors({});
            setDoc(saved);
            setValues((cur) => {
              const next = { ...cur };
              for (const k of Object.keys(patch)) {
                if (Array.isArray(patch[k]) && k !== 'tags') next[k] = adoptIds(cur[k] as Row[], sentLists.current[k] ?? [], saved.fields[k]);
              }
              return next;
            });
          } catch (e) {
            const err = asAppError(e);
            if (err.code === 'invalid' && err.field) {
              // A refused value stays on screen, marked, and is not resent
              // until it is changed; the rest of the patch is saved.
              setFieldErrors((fe) => ({ ...fe, [err.field as string]: err.message }));
              const rest = { ...body };
              delete rest[err.field];
              if (Object.keys(rest).length) await api.edit(props.id, rest).then(setDoc);
              return;
            }
            throw e;
          }
        },
        setSaveState,
      ),
    [props.id],
  );

  const kind = doc ? schema.kinds.find((k) => k.kind === doc.summary.kind) : undefined;

  const reload = async (initial: boolean) => {
    try {
      const d = await api.get(props.id);
      const k = schema.kinds.find((k) => k.kind === d.summary.kind);
      if (!k) return;
      setDoc(d);
      if (initial) {
        setValues(toValues(k, d.fields));
      } else {
        // A colleague's change arrived: take every field the teacher is not
        // editing right now, so the cursor and what is being typed stay.
        const fresh = toValues(k, d.fields);
        const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.field;
        setValues((cur) => {
          const next = { ...cur };
          for (const key of Object.keys(fresh)) if (!saver.isDirty(key) && key !== focusedKey) next[key] = fresh[key];
          return next;
        });
      }
    } catch (e) {
      props.onError(asAppError(e).message);
    }
  };

  useEffect(() => {
    void reload(true);
    // No work lost on close: hiding the window or leaving the editor saves.
    const onHide = () => void saver.flush();
    window.addEventListener('visibilitychange', onHide);
    window.addEventListener('beforeunload', onHide);
    return () => {
      window.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('beforeunload', onHide);
      void saver.flush().finally(() => saver.dispose());
    };
  }, [props.id]);

  useEffect(() => {
    if (props.remoteTick > 0) void reload(false);
  }, [props.remoteTick]);

  if (!doc || !kind) return <p class="muted">{t('loading')}</p>;

  const shown = version ? toValues(kind, version.view.fields) : values;
  const readOnly = version !== null || doc.read_only !== null || doc.summary.deleted;
  // Findings belong to the saved text; an earlier version shows none.
  const findings = version || doc.summary.deleted ? [] : doc.findings;
  const blocking = findings.filter((f) => f.blocking).length;
  const at = (field: string) => findings.filter((f) => f.field === field);
  const attestation = doc.fields.attestation as { by: string; at: string } | null | undefined;
  const onMask = (f: Finding) => void mask([f]);

  const change = (key: string, value: Json) => {
    setValues((v) => ({ ...v, [key]: value }));
    setFieldErrors((fe) => {
      if (!(key in fe)) return fe;
      const n = { ...fe };
      delete n[key];
      return n;
    });
    saver.change(key, value);
  };

  const changeList = (key: string, rows: Row[], immediate: boolean) => {
    change(key, rows as unknown as Json);
    // Adding, removing and moving rows save at once, so new rows get their
    // ids before anyone types into them.
    if (immediate) void saver.flush();
  };

  const openHistory = async () => {
    try {
      await saver.flush();
      setHistory(await api.history(props.id));
    } catch (e) {
      props.onError(asAppError(e).message);
    }
  };

  const viewVersion = async (item: HistoryItem) => {
    try {
      setVersion({ item, view: await api.at(props.id, item.hash) });
      setHistory(null);
    } catch (e) {
      props.onError(asAppError(e).message);
    }
  };

  // Masking replaces text the teacher may be looking at: pending typing is
  // saved first, and the masked fields are taken from the store even if
  // focused (the store's text is now the right one).
  const mask = async (only: Finding[] | null) => {
    try {
      await saver.flush();
      const touched = new Set((only ?? doc.findings).map((f) => f.field));
      const v = await api.mask(props.id, only && only.map((f) => ({ path: f.path, start: f.start, text: f.text })));
      setDoc(v);
      const fresh = toValues(kind, v.fields);
      setValues((cur) => {
        const next = { ...cur };
        for (const key of touched) next[key] = fresh[key];
        return next;
      });
    } catch (e) {
      const err = asAppError(e);
      // The text changed under the finding (a colleague's edit): show the
      // findings as they are now.
      if (err.code === 'not_found') await reload(false);
      props.onError(err.message);
    }
  };

  const openShare = async () => {
    try {
      // The check runs on what is saved: save first, so it sees everything.
      await saver.flush();
      setAttested(false);
      setShareOpen(true);
    } catch (e) {
      props.onError(asAppError(e).message);
    }
  };

  const share = async () => {
    try {
      await saver.flush();
      const shared = await api.share(props.id, kind.kind === 'case' && attested);
      setShareOpen(false);
      // A case reaches the office as a new document made from its checked
      // text; the teacher goes on working in that one.
      if (shared.id !== props.id) props.open(shared.id);
      else await reload(false);
    } catch (e) {
      const err = asAppError(e);
      if (err.field === 'findings') await reload(false);
      props.onError(err.message);
    }
  };

  const del = async () => {
    try {
      await saver.flush();
      if (doc.summary.deleted) await api.restore(props.id);
      else {
        await api.remove(props.id);
        props.back();
        return;
      }
      await reload(false);
    } catch (e) {
      props.onError(asAppError(e).message);
    }
  };

  const saveLabel =
    saveState === 'saved' ? t('saved') : saveState === 'saving' ? t('saving') : saveState === 'unsaved' ? t('unsaved') : t('save_failed', { reason: asAppError(saver.lastError).message });

  const fieldName = (key: string) => {
    for (const s of kind.sections) for (const f of s.fields) if (f.key === key) return pick(f.label, lang);
    const special: Record<string, string> = { created: t('change_created'), deleted: t('change_deleted'), restored: t('change_restored'), visibility: t('change_visibility'), title: t('change_title'), tags: t('change_tags') };
    return special[key] ?? key;
  };

  return (
    <div class="editor-wrap">
      <div class="editor-bar">
        <button onClick={() => void saver.flush().then(props.back)}>← {t('back')}</button>
        <span class={`save-state ${saveState}`} role="status" aria-live="polite">
          {saveState === 'saved' ? '✓ ' : ''}
          {saveLabel}
          {saveState === 'error' && <button class="link" onClick={() => void saver.flush()}>{t('retry')}</button>}
        </span>
        <div class="spacer" />
        <button onClick={openHistory}>{t('history')}</button>
        {doc.summary.visibility === 'office' ? (
          <span class="chip ok">{t('shared')}</span>
        ) : (
          <button onClick={() => void openShare()} disabled={readOnly}>{t('share')}</button>
        )}
        {kind.kind === 'case' ? (
          <>
            <button onClick={() => props.print(false, version?.item.hash)}>{t('print_student')}</button>
            <button onClick={() => props.print(true, version?.item.hash)}>{t('print_teacher')}</button>
          </>
        ) : (
          <button onClick={() => props.print(true, version?.item.hash)}>{t('print')}</button>
        )}
        <button class={doc.summary.deleted ? '' : 'danger'} onClick={del} disabled={version !== null}>
          {doc.summary.deleted ? t('restore') : t('delete')}
        </button>
      </div>

      {version && (
        <div class="banner info" role="status">
          {t('viewing_version', { n: version.item.index, time: formatTime(version.item.time, lang) })}
          <button onClick={() => setVersion(null)}>{t('back_to_current')}</button>
        </div>
      )}
      {doc.read_only && !version && <div class="banner info">{t('read_only', { reason: doc.read_only })}</div>}
      {doc.summary.deleted && <div class="banner info">{t('deleted_note')}</div>}
      {typeof doc.fields.shared_as === 'string' && doc.fields.shared_as && (
        <div class="banner info">
          {t('shared_as_note')}
          <button onClick={() => props.open(doc.fields.shared_as as string)}>{t('open_shared_copy')}</button>
        </div>
      )}
      {attestation && !version && (
        <div class="banner info attested">{t('attested_note', { name: attestation.by, time: formatTime(Date.parse(attestation.at), lang) })}</div>
      )}
      {findings.length > 0 && (
        <div class="banner warn findings-banner" role="alert">
          <span>
            {/* Sync holds back a shared case's changes only for high-confidence findings. */}
            {doc.summary.visibility === 'office' && blocking > 0
              ? t('findings_held', { n: blocking })
              : blocking > 0
                ? t('findings_banner', { n: findings.length, m: blocking })
                : t('findings_review', { n: findings.length })}
          </span>
          <button onClick={() => void mask(null)}>{t('mask_all')}</button>
        </div>
      )}

      <form class="editor" onSubmit={(e) => e.preventDefault()} aria-label={String(shown.title ?? '')}>
        <div class="title-row">
          <span class={`kind kind-${kind.kind}`}>{pick(kind.label, lang)}</span>
          <input
            class="title-input"
            aria-label={t('title_label')}
            data-field="title"
            value={displayValue(shown.title)}
            maxLength={schema.title_max}
            readOnly={readOnly}
            onInput={(e) => change('title', e.currentTarget.value)}
          />
        </div>
        {fieldErrors.title && <p class="field-error">{fieldErrors.title}</p>}
        <Findings findings={at('title')} onMask={onMask} />
        <label class="field">
          <span class="label">{t('tags_label')}</span>
          <input
            data-field="tags"
            value={Array.isArray(shown.tags) ? (shown.tags as string[]).join(lang === 'zh' ? '，' : ', ') : ''}
            readOnly={readOnly}
            onChange={(e) => change('tags', parseTags(e.currentTarget.value))}
          />
        </label>
        <Findings findings={at('tags')} onMask={onMask} />
        {kind.sections.map((s) => (
          <fieldset class="section" id={`sec-${s.key}`}>
            <legend>{pick(s.label, lang)}</legend>
            {s.fields.map((f) => (
              <FieldEditor field={f} value={shown[f.key]} readOnly={readOnly} error={fieldErrors[f.key]} findings={at(f.key)} onMask={onMask} onChange={(v) => change(f.key, v)} onList={(rows, now) => changeList(f.key, rows, now)} />
            ))}
          </fieldset>
        ))}
      </form>

      {history && (
        <div class="dialog-backdrop" onClick={() => setHistory(null)}>
          <div class="dialog" role="dialog" aria-modal="true" aria-label={t('history_title')} onClick={(e) => e.stopPropagation()}>
            <h2>{t('history_title')}</h2>
            <ol class="history">
              {history
                .slice()
                .reverse()
                .map((h) => (
                  <li>
                    <span class="muted">#{h.index}</span> <strong>{h.author}</strong> <span>{formatTime(h.time, lang)}</span>
                    <span class="history-fields">{h.fields.map(fieldName).join('、')}</span>
                    <button onClick={() => void viewVersion(h)}>{t('view_version')}</button>
                  </li>
                ))}
            </ol>
            <button onClick={() => setHistory(null)}>{t('close')}</button>
          </div>
        </div>
      )}

      {shareOpen && (
        <div class="dialog-backdrop">
          <div class="dialog share-dialog" role="dialog" aria-modal="true" aria-label={t('share')}>
            <h2>{t('share')}</h2>
            <p>{t('share_confirm')}</p>
            {kind.kind === 'case' && (
              <>
                {findings.length === 0 ? (
                  <p class="ok">✓ {t('share_no_findings')}</p>
                ) : (
                  <>
                    <p class={blocking > 0 ? 'bad' : 'warn'}>{blocking > 0 ? t('share_blocked', { n: blocking }) : t('findings_review', { n: findings.length })}</p>
                    <Findings findings={findings} onMask={onMask} withField />
                    <button class="mask-all" onClick={() => void mask(null)}>{t('mask_all')}</button>
                  </>
                )}
                <p class="muted">{t('share_case_note')} {t('share_case_copy')}</p>
                <label class="attest">
                  <input type="checkbox" checked={attested} disabled={blocking > 0} onChange={(e) => setAttested(e.currentTarget.checked)} />
                  <span>{t('share_attest')}</span>
                </label>
              </>
            )}
            <div class="actions">
              <button onClick={() => setShareOpen(false)}>{t('cancel')}</button>
              <button class="primary" disabled={kind.kind === 'case' && (blocking > 0 || !attested)} onClick={() => void share()}>
                {t('confirm')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** Likely identifiers found in one field, each with its reason and a button that masks it. */
function Findings(props: { findings: Finding[]; onMask: (f: Finding) => void; withField?: boolean }) {
  const { t, lang } = useApp();
  if (props.findings.length === 0) return null;
  return (
    <ul class="findings" aria-label={t('findings_label')}>
      {props.findings.map((f) => (
        <li class={f.blocking ? 'blocking' : ''}>
          <span class="finding-kind">{findingKind(t, f.kind)}</span>
          {props.withField && <span class="finding-field">{f.label}</span>}
          <mark>{f.text}</mark>
          <span class="finding-reason">{pick(f.reason, lang)}</span>
          <button type="button" onClick={() => props.onMask(f)}>{t('mask_as', { mask: f.mask })}</button>
        </li>
      ))}
    </ul>
  );
}

function findingKind(t: ReturnType<typeof useApp>['t'], kind: string): string {
  const key = `finding_${kind}`;
  return (FINDING_KINDS as readonly string[]).includes(key) ? t(key as (typeof FINDING_KINDS)[number]) : kind;
}

const FINDING_KINDS = ['finding_resident_id', 'finding_phone', 'finding_record_number', 'finding_name', 'finding_date', 'finding_address', 'finding_email', 'finding_url', 'finding_ip_address', 'finding_bank_card'] as const;

function FieldEditor(props: { field: FieldInfo; value: unknown; readOnly: boolean; error?: string; findings?: Finding[]; onMask?: (f: Finding) => void; onChange: (v: Json) => void; onList: (rows: Row[], immediate: boolean) => void; compact?: boolean }) {
  const { t, lang } = useApp();
  const f = props.field;
  const label = pick(f.label, lang);
  const id = useMemo(() => `f-${f.key}-${Math.random().toString(36).slice(2, 8)}`, [f.key]);
  const [localError, setLocalError] = useState<string | null>(null);
  const input = f.input;

  const onRaw = (raw: string) => {
    const r = parseInput(f, raw);
    if ('error' in r) {
      setLocalError(r.error);
      return;
    }
    setLocalError(null);
    props.onChange(r.value);
  };

  let control;
  switch (input.type) {
    case 'text':
      control = input.multiline ? (
        <textarea id={id} data-field={f.key} value={displayValue(props.value)} readOnly={props.readOnly} rows={props.compact ? 2 : 3} maxLength={input.max} onInput={(e) => onRaw(e.currentTarget.value)} />
      ) : (
        <input id={id} data-field={f.key} value={displayValue(props.value)} readOnly={props.readOnly} maxLength={input.max} onInput={(e) => onRaw(e.currentTarget.value)} />
      );
      break;
    case 'choice':
      control = (
        <select id={id} data-field={f.key} value={displayValue(props.value)} disabled={props.readOnly} onChange={(e) => onRaw(e.currentTarget.value)}>
          <option value="">{t('not_filled')}</option>
          {input.choices.map((c) => (
            <option value={c.value}>{pick(c.label, lang)}</option>
          ))}
        </select>
      );
      break;
    case 'int':
    case 'number':
      control = (
        <input id={id} data-field={f.key} type="number" inputMode="decimal" value={displayValue(props.value)} readOnly={props.readOnly} min={input.min} max={input.max} step={input.type === 'int' ? 1 : 0.5} onInput={(e) => onRaw(e.currentTarget.value)} />
      );
      break;
    case 'date':
      control = <input id={id} data-field={f.key} type="date" value={displayValue(props.value)} readOnly={props.readOnly} onInput={(e) => onRaw(e.currentTarget.value)} />;
      break;
    case 'list': {
      const rows = (Array.isArray(props.value) ? props.value : []) as Row[];
      const item = input.item;
      const setRow = (i: number, key: string, v: Json) => props.onList(rows.map((r, j) => (j === i ? { ...r, [key]: v } : r)), false);
      return (
        <div class={`field list-field list-${f.key}`} role="group" aria-label={label}>
          <span class="label">{label}</span>
          {rows.map((r, i) => (
            <div class="row" key={r._k} role="group" aria-label={`${label} · ${t('row_n', { n: i + 1 })}`}>
              <div class="row-fields">
                {item.map((sub) => (
                  <FieldEditor field={sub} value={r[sub.key]} readOnly={props.readOnly} compact findings={r.id ? props.findings?.filter((x) => x.row === r.id && x.sub_field === sub.key) : []} onMask={props.onMask} onChange={(v) => setRow(i, sub.key, v)} onList={() => {}} />
                ))}
              </div>
              {!props.readOnly && (
                <div class="row-tools">
                  <button type="button" aria-label={`${t('move_up')} (${t('row_n', { n: i + 1 })})`} title={t('move_up')} disabled={i === 0} onClick={() => props.onList(moveRow(rows, i, -1), true)}>↑</button>
                  <button type="button" aria-label={`${t('move_down')} (${t('row_n', { n: i + 1 })})`} title={t('move_down')} disabled={i === rows.length - 1} onClick={() => props.onList(moveRow(rows, i, 1), true)}>↓</button>
                  <button type="button" aria-label={`${t('remove_row')} (${t('row_n', { n: i + 1 })})`} title={t('remove_row')} class="danger" onClick={() => props.onList(removeRow(rows, i), true)}>✕</button>
                </div>
              )}
            </div>
          ))}
          {!props.readOnly && rows.length < input.max_items && (
            <button type="button" class="add-row" onClick={() => props.onList(addRow(rows, item), true)}>+ {t('add_row')}</button>
          )}
          {props.error && <p class="field-error">{props.error}</p>}
        </div>
      );
    }
  }
  return (
    <div class={`field field-${input.type} ${props.compact ? 'compact' : ''} ${input.type === 'text' && input.multiline ? 'wide' : ''}`}>
      <label class="label" for={id}>{label}</label>
      {control}
      {(props.error || localError) && <p class="field-error" role="alert">{props.error ?? t(`err_${localError as 'number' | 'range' | 'date' | 'length'}`, { min: 'min' in input ? input.min : '', max: 'max' in input ? input.max : '' })}</p>}
      {props.findings && props.onMask && <Findings findings={props.findings} onMask={props.onMask} />}
    </div>
  );
}
