// Sync by USB drive: for a site with no link. The teacher picks a drive
// (or types a folder); Rounds writes this computer's changes there, and
// later reads the office's answer from the same drive. The file names are
// fixed per computer, so there is nothing else to choose.

import { useEffect, useState } from 'preact/hooks';
import { api, asAppError } from './api';
import { useApp } from './ctx';
import type { UsbDrive } from './generated/UsbDrive';
import type { UsbOutcome } from './generated/UsbOutcome';
import type { Key } from './i18n';

/** What to say after writing or reading, as a catalog key and its parameters. */
export function describeUsb(kind: 'write' | 'read', o: UsbOutcome, refusedText: (n: number) => string): { key: Key; params: Record<string, string | number> } {
  if (kind === 'write') {
    if (o.docs_sent === 0) return { key: 'usb_nothing', params: { file: o.file } };
    return { key: 'usb_written', params: { docs: o.docs_sent, changes: o.changes_sent, file: o.file } };
  }
  if (!o.cursor_moved) return { key: 'usb_read_old', params: {} };
  return { key: 'usb_read_done', params: { received: o.received, acknowledged: o.acknowledged, refused: o.refused > 0 ? refusedText(o.refused) : '' } };
}

export function UsbDialog(props: { close: () => void; onDone: (received: boolean) => void }) {
  const { t, explain } = useApp();
  const [drives, setDrives] = useState<UsbDrive[] | null>(null);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => {
    api.usbDrives().then(
      (d) => {
        setDrives(d);
        if (d.length > 0) setPath((p) => p || d[0].path);
      },
      () => setDrives([]),
    );
  }, []);
  const run = async (kind: 'write' | 'read') => {
    setBusy(true);
    setSaid(null);
    try {
      const o = kind === 'write' ? await api.usbExport(path) : await api.usbImport(path);
      const d = describeUsb(kind, o, (n) => t('usb_read_refused', { n }));
      setSaid({ text: t(d.key, d.params), error: false });
      props.onDone(kind === 'read' && o.received > 0);
    } catch (err) {
      setSaid({ text: explain(asAppError(err)), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="dialog-backdrop">
      <div class="dialog usb-dialog" role="dialog" aria-modal="true" aria-labelledby="usb-title">
        <h2 id="usb-title">{t('usb_title')}</h2>
        <p>{t('usb_body')}</p>
        <fieldset class="usb-drives">
          <legend>{t('usb_drives')}</legend>
          {drives !== null && drives.length === 0 && <p class="muted">{t('usb_no_drives')}</p>}
          {(drives ?? []).map((d) => (
            <label key={d.path} class="usb-drive">
              <input type="radio" name="drive" checked={path === d.path} onChange={() => setPath(d.path)} />
              <span>{d.label}</span>
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span class="label">{t('usb_folder')}</span>
          <input name="folder" value={path} onInput={(e) => setPath(e.currentTarget.value)} />
        </label>
        {said && (
          <p class={said.error ? 'field-error' : 'usb-said'} role={said.error ? 'alert' : 'status'}>
            {said.text}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={props.close}>{t('close')}</button>
          <button type="button" class="usb-read" disabled={busy || !path.trim()} onClick={() => void run('read')}>
            {t('usb_read')}
          </button>
          <button type="button" class="primary usb-write" disabled={busy || !path.trim()} onClick={() => void run('write')}>
            {busy ? t('usb_working') : t('usb_write')}
          </button>
        </div>
      </div>
    </div>
  );
}
