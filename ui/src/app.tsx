import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, asAppError, onSyncStatus } from './api';
import { flushAll } from './autosave';
import { listen } from '@tauri-apps/api/event';
import { invoke } from '@tauri-apps/api/core';
import { AppCtx, type Ctx } from './ctx';
import { detectLang, pick, translate, type Lang } from './i18n';
import { englishLocale } from './dates';
import { bannerText, errorText, type Shown } from './errors';
import type { SchemaInfo } from './generated/SchemaInfo';
import type { SyncStatus } from './generated/SyncStatus';
import type { Kind } from './generated/Kind';
import { Library } from './library';
import { Editor } from './editor';
import { PrintView } from './print';
import { RecordPrint } from './recordprint';
import { SyncBar } from './syncbar';
import { WordImportDialog } from './word';
import { FirstStart, Settings, needsName } from './settings';
import { TemplateDialog } from './templates';
import type { Profile } from './generated/Profile';
import { shortcutFor } from './shortcuts';
import { Inbox } from './inbox';
import type { UnreadCount } from './generated/UnreadCount';

export type Route =
  | { name: 'library' }
  | { name: 'settings' }
  | { name: 'inbox' }
  | { name: 'editor'; id: string; thread?: string }
  | { name: 'print'; id: string; teacher: boolean; at?: string; record?: boolean };

const LANG_KEY = 'rounds.lang';

function savedLang(): Lang | null {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'zh' || saved === 'en' ? saved : null;
}

export function Root() {
  const [lang, setLang] = useState<Lang>(() => savedLang() ?? detectLang(navigator.languages ?? [navigator.language]));
  const [schema, setSchema] = useState<SchemaInfo | null>(null);
  const [route, setRoute] = useState<Route>({ name: 'library' });
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<Shown | null>(null);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [wordOpen, setWordOpen] = useState(false);
  // A close request whose saves failed: the window stays open and says so.
  const [closeUnsaved, setCloseUnsaved] = useState(false);
  // Bumped when the sync worker brings documents from the office, so the
  // open screen reloads what it shows.
  const [remoteTick, setRemoteTick] = useState(0);
  // Unread inbox items per document: the top bar's count and the library's badges.
  const [unread, setUnread] = useState<UnreadCount[]>([]);
  const [readTick, setReadTick] = useState(0);
  useEffect(() => {
    api.inboxUnread().then(setUnread, () => {});
  }, [remoteTick, readTick, route]);
  const unreadTotal = unread.reduce((a, u) => a + u.count, 0);

  useEffect(() => {
    // The system language from the environment wins over the webview's,
    // which falls back to English when the locale is not installed.
    api.profile().then(
      (p) => {
        setProfile(p);
        if (!savedLang() && p.system_languages.length) setLang(detectLang([...p.system_languages, ...(navigator.languages ?? [])]));
      },
      () => {},
    );
    api.schema().then(setSchema, (e) => setError({ e, internal: true }));
    api.syncStatus().then(setSync, () => {});
    const un = onSyncStatus((s) => {
      setSync(s);
      if (s.state === 'idle' && s.received > 0) setRemoteTick((n) => n + 1);
    });
    // Closing the window: save what autosave still holds, then close.
    // If anything could not be saved, the window stays open and says so
    // instead of closing and losing the typing.
    const unClose = listen('close-requested', async () => {
      if (await flushAll()) {
        await invoke('close_now');
      } else {
        await invoke('close_blocked');
        setCloseUnsaved(true);
      }
    });
    return () => {
      void un.then((f) => f());
      void unClose.then((f) => f());
    };
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);

  const chooseLang = (l: Lang) => {
    // Only a teacher's own choice is remembered; otherwise the system decides.
    localStorage.setItem(LANG_KEY, l);
    setLang(l);
  };

  const locale = useMemo(() => englishLocale([...(profile?.system_languages ?? []), ...(navigator.languages ?? [])]), [profile]);
  const joined = sync !== null && sync.state !== 'not_joined';
  const ctx: Ctx | null = useMemo(
    () => (schema ? { lang, schema, locale, joined, t: (k, p) => translate(lang, k, p), explain: (e, place) => errorText(asAppError(e), lang, schema, place ?? null) } : null),
    [lang, schema, locale, joined],
  );

  const create = async (kind: Kind) => {
    try {
      const info = schema?.kinds.find((k) => k.kind === kind);
      const title = info ? pick(info.untitled, lang) : '';
      const v = await api.create(kind, title, lang);
      setRoute({ name: 'editor', id: v.summary.id });
    } catch (e) {
      setError({ e });
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      // Ctrl+N makes the first kind (a lesson plan), Ctrl+Shift+N the second.
      const kinds = schema?.kinds ?? [];
      if (action === 'new_lesson' && kinds[0]) void create(kinds[0].kind);
      else if (action === 'new_case' && kinds[1]) void create(kinds[1].kind);
      else if (action === 'search') {
        setRoute({ name: 'library' });
        // The library may have to render first.
        requestAnimationFrame(() => document.getElementById('search')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!ctx) {
    return <div class="loading">{error ? bannerText(error, lang, schema) : translate(lang, 'loading')}</div>;
  }
  const t = ctx.t;

  return (
    <AppCtx.Provider value={ctx}>
      <div class={`app ${route.name === 'print' ? 'printing' : ''}`}>
        <header class="topbar no-print">
          <button class="brand" onClick={() => setRoute({ name: 'library' })} aria-label={t('library')}>
            <img src="./icon.png" alt="" width={24} height={24} />
            <span>{t('app_name')}</span>
          </button>
          <div class="spacer" />
          {ctx.schema.kinds.map((k, i) => (
            <button class={`new-doc new-${k.kind} ${i === 0 ? 'primary' : ''}`} onClick={() => void create(k.kind)} title={i === 0 ? 'Ctrl+N' : i === 1 ? 'Ctrl+Shift+N' : undefined}>
              + {pick(k.new_doc, lang)}
            </button>
          ))}
          <button class="from-template" onClick={() => setTemplatesOpen(true)}>
            {t('from_template')}
          </button>
          <button class="word-open" onClick={() => setWordOpen(true)}>
            {t('word_import_button')}
          </button>
          <button class={`inbox-btn ${route.name === 'inbox' ? 'on' : ''}`} onClick={() => setRoute({ name: 'inbox' })} title={t('inbox')}>
            {t('inbox')}
            {unreadTotal > 0 && <span class="badge" aria-label={t('inbox_unread', { n: unreadTotal })}>{unreadTotal}</span>}
          </button>
          <button class={`settings-btn ${route.name === 'settings' ? 'on' : ''}`} onClick={() => setRoute({ name: 'settings' })} title={t('settings')}>
            ⚙ {profile?.name || t('settings')}
          </button>
          <label class="lang">
            <span class="sr-only">{t('language')}</span>
            <select value={lang} onChange={(e) => chooseLang(e.currentTarget.value === 'en' ? 'en' : 'zh')} aria-label={t('language')}>
              <option value="zh">中文</option>
              <option value="en">English</option>
            </select>
          </label>
        </header>
        {closeUnsaved && (
          <div class="dialog-backdrop">
            <div class="dialog close-unsaved" role="alertdialog" aria-modal="true" aria-label={t('close_unsaved_title')}>
              <h2>{t('close_unsaved_title')}</h2>
              <p>{t('close_unsaved_body')}</p>
              <div class="actions">
                <button class="primary" onClick={() => setCloseUnsaved(false)}>{t('close_unsaved_stay')}</button>
                <button class="danger" onClick={() => void invoke('close_now')}>{t('close_unsaved_anyway')}</button>
              </div>
            </div>
          </div>
        )}
        {error && (
          <div class="banner error no-print" role="alert">
            <span>{bannerText(error, lang, schema)}</span>
            <button onClick={() => setError(null)}>{t('close')}</button>
          </div>
        )}
        <main>
          {route.name === 'library' && (
            <Library open={(id) => setRoute({ name: 'editor', id })} onError={(e) => setError({ e })} remoteTick={remoteTick} create={create} unread={unread} />
          )}
          {route.name === 'inbox' && (
            <Inbox open={(id, thread) => setRoute({ name: 'editor', id, thread: thread ?? undefined })} onError={(e) => setError({ e })} remoteTick={remoteTick} onRead={() => setReadTick((n) => n + 1)} />
          )}
          {route.name === 'settings' && <Settings profile={profile} sync={sync} onProfile={setProfile} chooseLang={chooseLang} />}
          {route.name === 'editor' && (
            <Editor
              key={route.id}
              id={route.id}
              thread={route.thread}
              onRead={() => setReadTick((n) => n + 1)}
              back={() => setRoute({ name: 'library' })}
              open={(id) => setRoute({ name: 'editor', id })}
              print={(teacher, at, record) => setRoute({ name: 'print', id: route.id, teacher, at, record })}
              onError={(e) => setError({ e })}
              remoteTick={remoteTick}
            />
          )}
          {route.name === 'print' && !route.record && (
            <PrintView id={route.id} teacher={route.teacher} at={route.at} back={() => setRoute({ name: 'editor', id: route.id })} />
          )}
          {route.name === 'print' && route.record && <RecordPrint id={route.id} back={() => setRoute({ name: 'editor', id: route.id })} />}
        </main>
        <SyncBar
          status={sync}
          onStatus={(st) => {
            setSync(st);
            // Joining an office may name the teacher (the office's member name).
            api.profile().then(setProfile, () => {});
          }}
          onReceived={() => setRemoteTick((n) => n + 1)}
        />
        {wordOpen && (
          <WordImportDialog
            close={() => setWordOpen(false)}
            opened={(id) => {
              setWordOpen(false);
              setRoute({ name: 'editor', id });
            }}
            imported={() => setRemoteTick((n) => n + 1)}
          />
        )}
        {templatesOpen && <TemplateDialog close={() => setTemplatesOpen(false)} opened={(id) => setRoute({ name: 'editor', id })} />}
        {needsName(profile) && <FirstStart onSaved={setProfile} />}
      </div>
    </AppCtx.Provider>
  );
}
