import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { FieldEditor, Findings } from './fields';
import { RemovedRows } from './removed';
import { LinkedFrom, RefCtx } from './refs';
import { UndoStack, reinsertRow, undoKey } from './undo';
import { ExportMenu } from './exportmenu';
import { changesSince, copyText, fieldText, restorePatch, type FieldChange } from './versions';
import { MinutesTotal, VersionChanges, timed } from './editor-parts';
import { api, asAppError } from './api';
import { Autosaver, type SaveState } from './autosave';
import { useApp } from './ctx';
import { adoptIds, displayValue, parseTags, rowsFromStore, rowsToStore, type Json, type Row } from './form';
import { formatTime, pick } from './i18n';
import type { Caret } from './generated/Caret';
import type { DocView } from './generated/DocView';
import type { Finding } from './generated/Finding';
import type { HistoryItem } from './generated/HistoryItem';
import type { RemovedRow } from './generated/RemovedRow';
import type { KindInfo } from './generated/KindInfo';
import type { CollabView } from './generated/CollabView';
import type { ThreadView } from './generated/ThreadView';
import { Margin, type Draft } from './margin';
import { CollabBar, SiteBanner, type Panel as PanelName } from './group';
import { fieldOrder, toUtf16 } from './collab';
import { Panel, SelectionTools, controlOf, markThreadCounts, selectionAt, threadPlace, type Selected } from './together';

type Values = Record<string, unknown>;

/** The editor's copy of a document: plain values, and list fields as rows with UI keys. */
function toValues(kind: KindInfo, fields: Record<string, unknown>): Values {
  const v: Values = { ...fields };
  for (const s of kind.sections) for (const f of s.fields) if (f.input.type === 'list') v[f.key] = rowsFromStore(fields[f.key]);
  return v;
}

export function Editor(props: { id: string; thread?: string; onRead?: () => void; back: () => void; open: (id: string) => void; print: (teacher: boolean, at?: string, record?: boolean) => void; onError: (e: unknown) => void; remoteTick: number }) {
  const { t, lang, schema, explain, joined, locale } = useApp();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [values, setValues] = useState<Values>({});
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<HistoryItem[] | null>(null);
  const [version, setVersion] = useState<{ item: HistoryItem; view: DocView } | null>(null);
  const [shareOpen, setShareOpen] = useState(false);
  const [attested, setAttested] = useState(false);
  // Preparing together: the collaboration data, a comment being written, the thread and field in view, an open panel.
  const [collab, setCollab] = useState<CollabView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [activeThread, setActiveThread] = useState<string | null>(props.thread ?? null);
  const [activeField, setActiveField] = useState<string | null>(null);
  const [panel, setPanel] = useState<PanelName>(null);
  const [sel, setSel] = useState<Selected | null>(null);
  const jumped = useRef(false);
  // When a thread's text is selected for the teacher, the select event that follows offers no comment on it.
  const selectedByUs = useRef(0);
  const valuesRef = useRef(values);
  valuesRef.current = values;
  // The teacher's own edits, for Ctrl+Z / Ctrl+Shift+Z (undo.ts).
  const undo = useMemo(() => new UndoStack(), [props.id]);
  // The row just removed, offered back in a toast for a while.
  const [removed, setRemoved] = useState<{ key: string; row: Row; before: Row[]; label: string; n: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const keyAction = useRef<((e: KeyboardEvent) => void) | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => keyAction.current?.(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (!removed) return;
    const h = setTimeout(() => setRemoved(null), 10_000);
    return () => clearTimeout(h);
  }, [removed]);
  useEffect(() => {
    if (!notice) return;
    const h = setTimeout(() => setNotice(null), 5_000);
    return () => clearTimeout(h);
  }, [notice]);
  // A notice is text in the language it was written in: switching the
  // language ends it rather than leave it untranslated for its 5 seconds.
  useEffect(() => setNotice(null), [lang]);
  // The lists as last sent, to give their new rows the ids the store assigns.
  const sentLists = useRef<Record<string, Row[]>>({});
  // The version each field's value on screen was taken from (or, after a
  // save, the version that value became). Saves send it, so the store
  // applies the edit to what the teacher saw and merges it with whatever a
  // colleague wrote meanwhile instead of deleting it.
  const bases = useRef<Record<string, string[]>>({});
  // A caret to put back after a field's text was replaced by the merged text.
  const caretAfter = useRef<{ key: string; start: number; end: number } | null>(null);
  const focusedCaret = (key: string): Caret | null => {
    const el = document.activeElement as HTMLInputElement | HTMLTextAreaElement | null;
    if (!el || el.dataset?.field !== key || el.closest('[data-row]') || typeof el.selectionStart !== 'number') return null;
    return { field: key, row: null, sub_field: null, start: el.selectionStart, end: el.selectionEnd ?? el.selectionStart };
  };

  const saver = useMemo(
    () =>
      new Autosaver(
        async (patch) => {
          for (const [k, v] of Object.entries(patch)) if (Array.isArray(v)) sentLists.current[k] = valuesRef.current[k] as Row[];
          const body: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(patch)) body[k] = Array.isArray(v) && k !== 'tags' ? rowsToStore(v as unknown as Row[]) : v;
          try {
            // One save per version the fields were based on (normally one).
            const groups = new Map<string, string[]>();
            for (const k of Object.keys(body)) {
              const b = JSON.stringify(bases.current[k] ?? doc?.heads ?? []);
              groups.set(b, [...(groups.get(b) ?? []), k]);
            }
            let saved: DocView | null = null;
            for (const [b, keys] of groups) {
              const part: Record<string, unknown> = {};
              for (const k of keys) part[k] = body[k];
              const caret = keys.map((k) => (typeof body[k] === 'string' ? focusedCaret(k) : null)).find((c) => c !== null) ?? null;
              const r = await api.editAt(props.id, part, JSON.parse(b) as string[], caret);
              saved = r.view;
              for (const k of keys) {
                // The value sent is the document at the save's own change;
                // a field typed in again meanwhile is based on that.
                if (r.change) bases.current[k] = [r.change];
                const merged = r.view.fields[k];
                if (typeof body[k] === 'string' && typeof merged === 'string' && merged !== body[k] && !saver.isDirty(k)) {
                  // A colleague's text was merged in: show it in place.
                  bases.current[k] = r.view.heads;
                  setValues((cur) => (cur[k] === body[k] ? { ...cur, [k]: merged } : cur));
                  if (r.caret && r.caret.field === k) caretAfter.current = { key: k, start: r.caret.start, end: r.caret.end };
                }
              }
            }
            if (!saved) return;
            const view = saved;
            setFieldErrors({});
            setDoc(view);
            setValues((cur) => {
              const next = { ...cur };
              for (const k of Object.keys(patch)) {
                if (Array.isArray(patch[k]) && k !== 'tags') next[k] = adoptIds(cur[k] as Row[], sentLists.current[k] ?? [], view.fields[k]);
              }
              return next;
            });
          } catch (e) {
            const err = asAppError(e);
            if (err.code === 'invalid' && err.field) {
              // A refused value stays on screen, marked, and is not resent
              // until it is changed; the rest of the patch is saved.
              setFieldErrors((fe) => ({ ...fe, [err.field as string]: explain(err) }));
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
      // A colleague's change arrived: the field being typed in (with no
      // unsaved typing) is shown merged, in place, with the caret mapped
      // through the colleague's change; the document is read once.
      const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.field;
      const caret = !initial && focusedKey && !saver.isDirty(focusedKey) ? focusedCaret(focusedKey) : null;
      const shownText = caret ? valuesRef.current[caret.field] : null;
      const r = caret
        ? await api.refresh(props.id, bases.current[caret.field] ?? [], caret, typeof shownText === 'string' ? shownText : null)
        : { view: await api.get(props.id), caret: null };
      const d = r.view;
      const k = schema.kinds.find((k) => k.kind === d.summary.kind);
      if (!k) return;
      setDoc(d);
      if (initial) {
        setValues(toValues(k, d.fields));
        bases.current = {};
        for (const key of Object.keys(d.fields)) bases.current[key] = d.heads;
        return;
      }
      // Every field without unsaved typing takes the merged value; unsaved
      // typing stays and its save is merged by the store. A focused control
      // that is not text (a choice, a number) keeps what it shows.
      const fresh = toValues(k, d.fields);
      const now = valuesRef.current;
      const taken = Object.keys(fresh).filter((key) => !saver.isDirty(key) && !(key === focusedKey && !caret && typeof now[key] !== 'string'));
      setValues((cur) => {
        const next = { ...cur };
        for (const key of taken) if (!saver.isDirty(key)) next[key] = fresh[key];
        return next;
      });
      for (const key of taken) bases.current[key] = d.heads;
      if (r.caret) caretAfter.current = { key: r.caret.field, start: r.caret.start, end: r.caret.end };
    } catch (e) {
      props.onError(e);
    }
  };

  useEffect(() => {
    void reload(true);
    // Colleagues' latest changes come soon after opening, not at the next
    // two-minute sync (the worker also syncs 3 s after each local save).
    if (joined) void api.syncNow().catch(() => {});
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

  // The collaboration data follows the document: after every save, reload and sync (threads move with the text).
  useEffect(() => {
    if (!doc) return;
    api.collab(props.id).then(setCollab, () => {});
  }, [doc]);

  // Each field's label counts its open threads; clicking the count shows the first of them.
  useEffect(() => markThreadCounts(version ? null : collab));

  // Opened from the inbox at a thread: show it once the form is there.
  useEffect(() => {
    if (jumped.current || !collab || !props.thread) return;
    const th = [...collab.threads, ...collab.orphaned].find((x) => x.id === props.thread);
    jumped.current = true;
    if (th) requestAnimationFrame(() => jumpTo(th));
  }, [collab]);

  // After a field's text was replaced by the merged text, put the caret
  // back where the teacher was typing.
  useLayoutEffect(() => {
    const c = caretAfter.current;
    if (!c) return;
    const el = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-field="${c.key}"]:not([data-row] *)`);
    if (el && document.activeElement === el) el.setSelectionRange(c.start, c.end);
    caretAfter.current = null;
  });

  if (!doc || !kind) return <p class="muted">{t('loading')}</p>;

  const shown = version ? toValues(kind, version.view.fields) : values;
  // A participant of the preparation group who may only comment sees the plan read-only (the office would refuse the edit).
  const commentOnly = collab !== null && collab.me !== null && collab.group !== null && !collab.allowed.edit;
  const readOnly = version !== null || doc.read_only !== null || doc.summary.deleted || commentOnly;
  // The bar and the margin appear once this computer has joined an office (or the document already holds collaboration data).
  const together = collab !== null && !version && (collab.me !== null || collab.group !== null || collab.threads.length + collab.orphaned.length > 0 || collab.upstream !== null);
  // Findings belong to the saved text; an earlier version shows none.
  const findings = version || doc.summary.deleted ? [] : doc.findings;
  const blocking = findings.filter((f) => f.blocking).length;
  const at = (field: string) => findings.filter((f) => f.field === field);
  const attestation = doc.fields.attestation as { by: string; at: string } | null | undefined;
  const onMask = (f: Finding) => void mask([f]);

  /** Puts a value in a field and saves it; `typing` steps merge per burst in the undo stack, `record: false` is for undo and redo themselves. */
  const change = (key: string, value: Json, typing = true, record = true) => {
    if (record) undo.record(key, (valuesRef.current[key] ?? (typeof value === 'string' ? '' : null)) as Json, value, typing, Date.now());
    valuesRef.current = { ...valuesRef.current, [key]: value };
    setValues((v) => ({ ...v, [key]: value }));
    setFieldErrors((fe) => {
      if (!(key in fe)) return fe;
      const n = { ...fe };
      delete n[key];
      return n;
    });
    saver.change(key, value);
  };

  const changeList = (key: string, rows: Row[], immediate: boolean, removedRow?: Row) => {
    const before = (valuesRef.current[key] ?? []) as Row[];
    change(key, rows as unknown as Json, !immediate);
    // Adding, removing and moving rows save at once, so new rows get their
    // ids before anyone types into them.
    if (immediate) void saver.flush();
    if (removedRow) {
      const field = kind.sections.flatMap((s) => s.fields).find((f) => f.key === key);
      setRemoved({ key, row: removedRow, before, label: field ? pick(field.label, lang) : key, n: before.indexOf(removedRow) + 1 });
    }
  };

  /** The toast's "undo": the removed row comes back where it was, with its id (so its history), keeping what changed since in the other rows. */
  const undoRemove = () => {
    if (!removed) return;
    const cur = (valuesRef.current[removed.key] ?? []) as Row[];
    changeList(removed.key, reinsertRow(cur, removed.row, removed.before), true);
    setRemoved(null);
  };

  const step = (which: 'undo' | 'redo') => {
    const r = which === 'undo' ? undo.undo((k) => (valuesRef.current[k] ?? null) as Json) : undo.redo((k) => (valuesRef.current[k] ?? null) as Json);
    if (r.skipped > 0) setNotice(t('undo_skipped'));
    if (!r.step) {
      if (r.skipped === 0) setNotice(t(which === 'undo' ? 'nothing_to_undo' : 'nothing_to_redo'));
      return;
    }
    change(r.step.key, which === 'undo' ? r.step.before : r.step.after, false, false);
    setRemoved(null);
    void saver.flush();
  };
  keyAction.current = (e: KeyboardEvent) => {
    const which = undoKey(e);
    if (!which || readOnly) return;
    // The app's undo replaces the webview's own, which knows nothing of rows or saves.
    e.preventDefault();
    step(which);
  };

  const openHistory = async () => {
    try {
      await saver.flush();
      setHistory(await api.history(props.id));
    } catch (e) {
      props.onError(e);
    }
  };

  const viewVersion = async (item: HistoryItem) => {
    try {
      setVersion({ item, view: await api.at(props.id, item.hash) });
      setHistory(null);
    } catch (e) {
      props.onError(e);
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
      props.onError(err);
    }
  };

  // Restoring a row a colleague removed: pending typing is saved first,
  // and the list comes from the store, with the row and its text back.
  const restoreRow = async (r: RemovedRow, restore: boolean) => {
    try {
      await saver.flush();
      const v = restore ? await api.restoreRow(props.id, r.field, r.row) : await api.dismissRemoved(props.id, r.field, r.row);
      setDoc(v);
      const fresh = toValues(kind, v.fields);
      setValues((cur) => ({ ...cur, [r.field]: fresh[r.field] }));
    } catch (e) {
      props.onError(e);
    }
  };

  const openShare = async () => {
    try {
      // The check runs on what is saved: save first, so it sees everything.
      await saver.flush();
      setAttested(false);
      setShareOpen(true);
    } catch (e) {
      props.onError(e);
    }
  };

  const share = async () => {
    try {
      await saver.flush();
      const shared = await api.share(props.id, kind.holds_patient_data && attested);
      setShareOpen(false);
      // A case reaches the office as a new document made from its checked
      // text; the teacher goes on working in that one.
      if (shared.id !== props.id) props.open(shared.id);
      else await reload(false);
    } catch (e) {
      const err = asAppError(e);
      if (err.field === 'findings') await reload(false);
      props.onError(err);
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
      props.onError(e);
    }
  };

  const versionChanges: FieldChange[] = version ? changesSince(kind, version.view.fields, doc.fields, lang, locale, { title: t('title_label'), tags: t('change_tags') }) : [];
  /** The whole earlier version as text: each filled field under its label. */
  const versionText = () => {
    if (!version) return '';
    const v = version.view.fields;
    const parts = [String(v.title ?? '')];
    for (const s of kind.sections) {
      for (const f of s.fields) {
        const text = fieldTextOf(f, v[f.key]);
        if (text) parts.push(`${pick(f.label, lang)}\n${text}`);
      }
    }
    return parts.join('\n\n');
  };
  const fieldTextOf = (f: (typeof kind.sections)[number]['fields'][number], v: unknown) => fieldText(f, v, lang, locale);

  const copy = async (text: string) => {
    try {
      await copyText(text);
      setNotice(t('copied'));
    } catch (e) {
      props.onError(e);
    }
  };

  /** Restores the version shown as a new change: the versions in between stay in the history. */
  const restoreVersion = async () => {
    if (!version) return;
    try {
      await saver.flush();
      const cur = await api.get(props.id);
      const patch = restorePatch(kind, version.view.fields, cur.fields);
      if (Object.keys(patch).length > 0) await api.edit(props.id, patch);
      undo.cut();
      setVersion(null);
      await reload(true);
      setNotice(t('version_restored', { n: version.item.index }));
    } catch (e) {
      props.onError(e);
    }
  };

  /** A new private draft with this document's content, opened at once. */
  const duplicate = async () => {
    try {
      await saver.flush();
      const v = await api.createFrom(`doc:${props.id}`, t('copy_of', { title: doc.summary.title }).slice(0, schema.title_max));
      props.open(v.summary.id);
    } catch (e) {
      props.onError(e);
    }
  };

  const saveLabel =
    saveState === 'saved' ? t('saved') : saveState === 'saving' ? t('saving') : saveState === 'unsaved' ? t('unsaved') : t('save_failed', { reason: explain(saver.lastError) });

  const fieldLabel = (field: string, row: string, item: string) => threadPlace(kind, values, field, row, item, t, lang);

  /** Shows a thread's text in the form: scrolled to, with its selection selected. */
  const jumpTo = (th: ThreadView) => {
    setActiveThread(th.id);
    const el = controlOf(th.field, th.row, th.item);
    if (!el) return;
    // Only the page's own scroller moves (scrollIntoView would also move the window's frame).
    const main = el.closest('main');
    if (main) main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top - main.clientHeight / 3;
    el.focus({ preventScroll: true });
    selectedByUs.current = Date.now();
    if (th.place.state === 'range' && typeof el.setSelectionRange === 'function') el.setSelectionRange(toUtf16(el.value, th.place.from), toUtf16(el.value, th.place.to));
  };

  /** A selection in a text field offers a comment or a suggestion (offsets in code points, as the core counts). */
  const onSelection = (e: Event) => {
    if (!collab?.allowed.comment || version) return;
    if (e.type === 'select' && Date.now() - selectedByUs.current < 500) return;
    const found = selectionAt(e);
    if (found !== undefined) setSel(found);
  };

  const onCollab = (v: CollabView, contentChanged = false) => {
    setCollab(v);
    if (contentChanged) void reload(false);
  };

  const adapt = async () => {
    try {
      await saver.flush();
      const v = await api.adapt(props.id);
      props.open(v.summary.id);
    } catch (e) {
      props.onError(e);
    }
  };

  const takeUpstream = async () => {
    try {
      await saver.flush();
      const r = await api.takeUpstream(props.id);
      setDoc(r.view);
      const fresh = toValues(kind, r.view.fields);
      setValues((cur) => {
        const next = { ...cur };
        for (const key of r.changed) if (!saver.isDirty(key)) next[key] = fresh[key];
        return next;
      });
      for (const key of r.changed) bases.current[key] = r.view.heads;
      setNotice(t('upstream_taken', { n: r.changed.length }));
    } catch (e) {
      props.onError(e);
    }
  };

  const fieldName = (key: string) => {
    for (const s of kind.sections) for (const f of s.fields) if (f.key === key) return pick(f.label, lang);
    const special: Record<string, string> = { created: t('change_created'), deleted: t('change_deleted'), restored: t('change_restored'), visibility: t('change_visibility'), title: t('change_title'), tags: t('change_tags') };
    return special[key] ?? key;
  };

  return (
    <div class={`editor-wrap ${together ? 'with-margin' : ''}`}>
      <div class="editor-top">
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
          <span class={`chip ${joined ? 'ok' : 'warn'} share-chip`} title={joined ? undefined : t('shared_when_joined_note')}>{joined ? t('shared') : t('shared_when_joined')}</span>
        ) : (
          <button onClick={() => void openShare()} disabled={readOnly}>{t('share')}</button>
        )}
        {kind.teacher_only.length > 0 ? (
          <>
            <button onClick={() => props.print(false, version?.item.hash)}>{t('print_student')}</button>
            <button onClick={() => props.print(true, version?.item.hash)}>{t('print_teacher')}</button>
          </>
        ) : (
          <button onClick={() => props.print(true, version?.item.hash)}>{t('print')}</button>
        )}
        <ExportMenu id={props.id} doc={doc} kind={kind} at={version?.item.hash ?? null} flush={() => saver.flush()} onNotice={setNotice} onError={(e) => props.onError(e)} />
        <button class="duplicate" onClick={() => void duplicate()} disabled={version !== null}>{t('duplicate')}</button>
        <button class={doc.summary.deleted ? '' : 'danger'} onClick={del} disabled={version !== null}>
          {doc.summary.deleted ? t('restore') : t('delete')}
        </button>
      </div>

      {version && (
        // Part of the sticky top: an earlier version never looks like the current one, however far down one scrolls.
        <div class="banner version-banner" role="status">
          <span>{t('viewing_version', { n: version.item.index, time: formatTime(version.item.time, lang), name: version.item.author })}</span>
          <button class="primary restore-version" onClick={() => void restoreVersion()} disabled={doc.read_only !== null || doc.summary.deleted}>
            {t('restore_version')}
          </button>
          <button class="copy-version" onClick={() => void copy(versionText())}>{t('copy_version')}</button>
          <button class="back-to-current" onClick={() => setVersion(null)}>{t('back_to_current')}</button>
        </div>
      )}
      </div>
      {together && collab && (
        <CollabBar id={props.id} collab={collab} onCollab={onCollab} open={setPanel} onAdapt={() => void adapt()} onError={(e) => props.onError(e)} siteCopy={doc.linked_from.find((b) => b.field === 'upstream')} openDoc={props.open} />
      )}
      {together && collab && <SiteBanner collab={collab} onTake={() => void takeUpstream()} open={props.open} />}
      {commentOnly && !version && <div class="banner info comment-only-note no-print">{collab?.allowed.comment ? t('comment_only_note') : t('read_only_group_note')}</div>}
      {version && <VersionChanges changes={versionChanges} onCopy={(c) => void copy(c.old)} />}
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

      {!version && (
        <RemovedRows
          rows={doc.removed_rows}
          fieldName={fieldName}
          onRestore={(r) => void restoreRow(r, true)}
          onDismiss={(r) => void restoreRow(r, false)}
        />
      )}

      <div class={together ? 'editor-cols' : ''}>
      <RefCtx.Provider value={{ self: props.id, links: (version ? version.view : doc).links, open: props.open }}>
      <form
        class="editor"
        onSubmit={(e) => e.preventDefault()}
        aria-label={String(shown.title ?? '')}
        onMouseUp={onSelection}
        onClick={(e) => {
          const label = (e.target as HTMLElement).closest('[data-threads]');
          if (!label || !collab) return;
          const ctl = label.closest('.field')?.querySelector('[data-field]') as HTMLElement | null;
          const th = collab.threads.find((x) => x.state === 'open' && controlOf(x.field, x.row, x.item) === ctl);
          if (th) {
            e.preventDefault();
            jumpTo(th);
          }
        }}
        onKeyUp={(e) => e.shiftKey && onSelection(e)}
        onSelectCapture={onSelection}
        onFocusIn={(e) => {
          const el = e.target as HTMLElement;
          const list = el.closest('[data-list]') as HTMLElement | null;
          setActiveField(list?.dataset.list ?? el.dataset?.field ?? null);
        }}
      >
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
            <legend>
              {pick(s.label, lang)}
              {together && collab?.allowed.comment && (
                <button
                  type="button"
                  class="comment-section"
                  title={t('comment_section')}
                  aria-label={`${t('comment_section')}: ${pick(s.label, lang)}`}
                  onClick={() => setDraft({ mode: 'comment', target: { field: `section:${s.key}`, row: '', item: '', range: null }, quote: '' })}
                >
                  + {t('comment')}
                </button>
              )}
            </legend>
            {s.fields.map((f) => (
              <FieldEditor
                field={f}
                value={shown[f.key]}
                readOnly={readOnly}
                error={fieldErrors[f.key]}
                findings={at(f.key)}
                onMask={onMask}
                onChange={(v) => change(f.key, v)}
                onList={(rows, now, gone) => changeList(f.key, rows, now, gone)}
                hideLabel={s.fields.length === 1 && pick(f.label, lang) === pick(s.label, lang)}
                after={timed(f) ? <MinutesTotal process={shown[f.key]} hours={shown.class_hours} /> : undefined}
              />
            ))}
          </fieldset>
        ))}
      </form>
      </RefCtx.Provider>
      {together && collab && (
        <Margin
          id={props.id}
          collab={collab}
          fieldLabel={fieldLabel}
          order={fieldOrder(kind)}
          draft={draft}
          setDraft={(d) => {
            setDraft(d);
            setSel(null);
          }}
          active={activeThread}
          activeField={activeField}
          onCollab={onCollab}
          onJump={jumpTo}
          onError={(e) => props.onError(e)}
        />
      )}
      </div>
      {sel && collab && !draft && <SelectionTools at={sel} pick={(mode) => { setDraft({ ...sel.draft, mode }); setSel(null); }} />}
      {panel && collab && <Panel panel={panel} id={props.id} collab={collab} close={() => setPanel(null)} onCollab={onCollab} onError={(e) => props.onError(e)} notice={setNotice} printRecord={() => props.print(true, undefined, true)} />}
      {!version && <LinkedFrom links={doc.linked_from} open={props.open} />}

      {(removed || notice) && (
        <div class="toast no-print" role="status">
          {removed ? <span>{t('row_removed', { field: removed.label, n: removed.n })}</span> : <span>{notice}</span>}
          {removed && (
            <button class="undo-remove" onClick={undoRemove}>
              {t('undo')}
            </button>
          )}
        </div>
      )}

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
            {!joined && <p class="warn not-joined-note">{t('share_not_joined')}</p>}
            {kind.holds_patient_data && (
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
              <button class="primary" disabled={kind.holds_patient_data && (blocking > 0 || !attested)} onClick={() => void share()}>
                {t('confirm')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
