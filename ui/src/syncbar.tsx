import { useEffect, useState } from 'preact/hooks';
import { api, asAppError } from './api';
import { useApp } from './ctx';
import { formatTime } from './i18n';
import { UsbDialog } from './usb';
import type { SyncStatus } from './generated/SyncStatus';
import type { Key } from './i18n';
import type { ErrorCode } from './generated/ErrorCode';

/** What the status bar says, as a catalog key and its parameters. */
export function describeSync(s: SyncStatus, now: number, fmt: (ms: number) => string): { key: Key; params: Record<string, string | number>; tone: 'ok' | 'warn' | 'bad' | 'busy' | 'off' } {
  switch (s.state) {
    case 'not_joined':
      return { key: 'sync_not_joined', params: {}, tone: 'off' };
    case 'syncing':
      // A long sync (a new device, a long time offline) shows how far it is.
      if (s.docs_sent > 0 || s.docs_received > 0) return { key: 'sync_progress', params: { sent: s.docs_sent, received: s.docs_received }, tone: 'busy' };
      return { key: 'sync_syncing', params: {}, tone: 'busy' };
    case 'offline':
      return { key: 'sync_offline', params: { time: inSeconds(s.retry_at, now) }, tone: 'warn' };
    case 'error':
      return { key: 'sync_error', params: { message: s.message }, tone: 'bad' };
    case 'idle':
      if (s.pending > 0) return { key: 'sync_pending', params: { n: s.pending }, tone: 'warn' };
      if (s.last_sync !== null) return { key: 'sync_idle', params: { time: fmt(s.last_sync) }, tone: 'ok' };
      return { key: 'sync_never', params: { office: s.office_name ?? '' }, tone: 'ok' };
  }
}

function inSeconds(at: number, now: number): string {
  return String(Math.max(0, Math.round((at - now) / 1000)));
}

export function SyncBar(props: { status: SyncStatus | null; onStatus: (s: SyncStatus) => void; onReceived?: () => void }) {
  const { t, lang, explain } = useApp();
  const [joinOpen, setJoinOpen] = useState(false);
  const [usbOpen, setUsbOpen] = useState(false);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    // Keeps "retrying in N s" and "synced N min ago" current.
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, []);
  const s = props.status;
  if (!s) return <footer class="syncbar no-print" />;
  const d = describeSync(s, now, (ms) => formatTime(ms, lang, now));
  const params =
    d.key === 'sync_offline'
      ? { time: t('in_seconds', { n: d.params.time }) }
      : s.state === 'error'
        ? { message: explain({ code: s.code as ErrorCode, message: s.message, field: null }) }
        : d.params;
  return (
    <footer class={`syncbar no-print tone-${d.tone}`}>
      <span class="dot" aria-hidden="true" />
      <span role="status" aria-live="polite" class="sync-text">
        {s.office_name && s.state !== 'not_joined' ? `${s.office_name} · ` : ''}
        {t(d.key, params)}
        {s.state === 'idle' && s.pending === 0 && s.rejected > 0 ? ` · ${s.rejected}⚠` : ''}
      </span>
      <div class="spacer" />
      {s.state === 'not_joined' ? (
        <button onClick={() => setJoinOpen(true)}>{t('join_office')}</button>
      ) : (
        <>
          <button class="usb-open" onClick={() => setUsbOpen(true)}>{t('usb_button')}</button>
          <button onClick={() => void api.syncNow()} disabled={s.state === 'syncing'}>{t('sync_now')}</button>
        </>
      )}
      {joinOpen && <JoinDialog close={() => setJoinOpen(false)} onStatus={props.onStatus} />}
      {usbOpen && (
        <UsbDialog
          close={() => setUsbOpen(false)}
          onDone={(received) => {
            api.syncStatus().then(props.onStatus, () => {});
            if (received) props.onReceived?.();
          }}
        />
      )}
    </footer>
  );
}

function JoinDialog(props: { close: () => void; onStatus: (s: SyncStatus) => void }) {
  const { t, explain } = useApp();
  const [url, setUrl] = useState('');
  const [code, setCode] = useState('');
  const [device, setDevice] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onStatus(await api.join(url, code, device, fingerprint));
      props.close();
    } catch (err) {
      const a = asAppError(err);
      setError({ field: a.field, message: explain(a, 'join') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="dialog-backdrop">
      <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="join-title" onSubmit={submit}>
        <h2 id="join-title">{t('join_title')}</h2>
        <p>{t('join_body')}</p>
        <label class="field">
          <span class="label">{t('join_url')}</span>
          <input name="url" value={url} placeholder="https://office.example.org" onInput={(e) => setUrl(e.currentTarget.value)} aria-invalid={error?.field === 'url'} required />
        </label>
        <label class="field">
          <span class="label">{t('join_code')}</span>
          <input name="code" value={code} onInput={(e) => setCode(e.currentTarget.value)} aria-invalid={error?.field === 'code'} required />
        </label>
        <label class="field">
          <span class="label">{t('join_fingerprint')}</span>
          <input name="fingerprint" value={fingerprint} placeholder="SHA256:…" onInput={(e) => setFingerprint(e.currentTarget.value)} aria-invalid={error?.field === 'fingerprint'} />
        </label>
        <label class="field">
          <span class="label">{t('join_device')}</span>
          <input name="device" value={device} onInput={(e) => setDevice(e.currentTarget.value)} />
        </label>
        {error && <p class="field-error" role="alert">{error.message}</p>}
        <div class="actions">
          <button type="button" onClick={props.close}>{t('cancel')}</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? t('joining') : t('join_submit')}</button>
        </div>
      </form>
    </div>
  );
}
