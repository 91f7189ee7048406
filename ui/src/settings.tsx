// Who the teacher is and where their work lives: the name written on every
// change (asked for at first start, so history never says "?"), the data
// folder, the office and the language.

import { useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import type { Lang } from './i18n';
import type { Profile } from './generated/Profile';
import type { SyncStatus } from './generated/SyncStatus';

/** The longest name the store takes (rounds_core::schema::AUTHOR_MAX). */
export const NAME_MAX = 100;

/** Checks a typed name as the store will: trimmed, 1 to NAME_MAX characters. */
export function checkName(raw: string): { name: string } | { error: 'name_empty' | 'name_too_long' } {
  const name = raw.trim();
  if (!name) return { error: 'name_empty' };
  if ([...name].length > NAME_MAX) return { error: 'name_too_long' };
  return { name };
}

/** A profile with no name yet: this library was never given one, and no office has named it. */
export const needsName = (p: Profile | null) => p !== null && p.name.trim() === '';

/** The name field with its save button, shared by the first-start dialog and the settings view. */
function NameForm(props: { initial: string; onSaved: (p: Profile) => void; submitLabel: string; autoFocus?: boolean }) {
  const { t, explain } = useApp();
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const c = checkName(name);
    if ('error' in c) {
      setError(t(c.error, { max: NAME_MAX }));
      return;
    }
    setBusy(true);
    try {
      props.onSaved(await api.setName(c.name));
      setError(null);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="name-form" onSubmit={submit}>
      <label class="field">
        <span class="label">{t('your_name')}</span>
        <input name="name" value={name} maxLength={NAME_MAX} autoFocus={props.autoFocus} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={error !== null} />
        <span class="muted small">{t('name_prompt')}</span>
      </label>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{props.submitLabel}</button>
      </div>
    </form>
  );
}

/** Asked once, on a library that has no name: a teacher cannot start writing before saying who they are. */
export function FirstStart(props: { onSaved: (p: Profile) => void }) {
  const { t } = useApp();
  return (
    <div class="dialog-backdrop">
      <div class="dialog first-start" role="dialog" aria-modal="true" aria-labelledby="first-start-title">
        <h2 id="first-start-title">{t('welcome_title')}</h2>
        <p>{t('welcome_body')}</p>
        <NameForm initial="" onSaved={props.onSaved} submitLabel={t('welcome_start')} autoFocus />
      </div>
    </div>
  );
}

export function Settings(props: { profile: Profile | null; sync: SyncStatus | null; onProfile: (p: Profile) => void; chooseLang: (l: Lang) => void }) {
  const { t, lang } = useApp();
  const [saved, setSaved] = useState(false);
  const p = props.profile;
  const s = props.sync;
  const joined = s !== null && s.state !== 'not_joined';
  return (
    <section class="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings')}</h1>
      <div class="settings-group">
        <h2>{t('settings_you')}</h2>
        {p && (
          <NameForm
            key={p.name}
            initial={p.name}
            submitLabel={t('save_name')}
            onSaved={(np) => {
              props.onProfile(np);
              setSaved(true);
            }}
          />
        )}
        {saved && <p class="ok" role="status">✓ {t('name_saved')}</p>}
      </div>
      <dl class="settings-group settings-facts">
        <dt>{t('settings_data')}</dt>
        <dd>
          <code class="data-dir">{p?.data_dir ?? ''}</code>
          <span class="muted small">{t('settings_data_note')}</span>
        </dd>
        <dt>{t('settings_office')}</dt>
        <dd class="office">
          {joined ? (
            <>
              <strong>{s?.office_name ?? ''}</strong> <code>{s?.office_url ?? ''}</code>
            </>
          ) : (
            <span>{t('settings_no_office')}</span>
          )}
        </dd>
        <dt>{t('language')}</dt>
        <dd>
          <select class="settings-lang" value={lang} onChange={(e) => props.chooseLang(e.currentTarget.value === 'en' ? 'en' : 'zh')} aria-label={t('language')}>
            <option value="zh">中文</option>
            <option value="en">English</option>
          </select>
        </dd>
      </dl>
    </section>
  );
}
