// Two versions side by side, field by field: any change of the history,
// a best version (精华) or the document as it is; on the left what was
// deleted is struck through, on the right what was inserted is marked.

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { DiffText } from './group';
import { formatTime, pick } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { CompareView } from './generated/CompareView';
import type { HistoryItem } from './generated/HistoryItem';

export function CompareDialog(props: { id: string; collab: CollabView; close: () => void; onError: (e: unknown) => void }) {
  const { t, lang } = useApp();
  const [history, setHistory] = useState<HistoryItem[]>([]);
  const best = props.collab.best;
  // By default: the latest best version (or the first version) against the current one.
  const [from, setFrom] = useState(best.length ? `best:${best[best.length - 1].name}` : '1');
  const [to, setTo] = useState('');
  const [view, setView] = useState<CompareView | null>(null);
  useEffect(() => {
    api.history(props.id).then(setHistory, props.onError);
  }, [props.id]);
  useEffect(() => {
    const v = (x: string) => (x.startsWith('best:') ? x.slice(5) : x);
    api.compare(props.id, v(from), v(to)).then(setView, (e) => {
      setView(null);
      props.onError(e);
    });
  }, [props.id, from, to]);
  const options = (
    <>
      <option value="">{t('current_version')}</option>
      {best.map((b) => (
        <option value={`best:${b.name}`}>★ {b.name}</option>
      ))}
      {[...history].reverse().map((h) => (
        <option value={String(h.index)}>
          #{h.index} {h.author} · {formatTime(h.time, lang)}
        </option>
      ))}
    </>
  );
  return (
    <div class="dialog-backdrop" onClick={props.close}>
      <div class="dialog compare-dialog" role="dialog" aria-modal="true" aria-label={t('compare')} onClick={(e) => e.stopPropagation()}>
        <h2>{t('compare')}</h2>
        <div class="compare-pick">
          <label>
            {t('compare_from')} <select name="from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>{options}</select>
          </label>
          <span aria-hidden="true">⇄</span>
          <label>
            {t('compare_to')} <select name="to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>{options}</select>
          </label>
        </div>
        {view && view.fields.length === 0 && <p class="muted">{t('versions_same')}</p>}
        {view && view.fields.length > 0 && (
          <table class="compare">
            <thead>
              <tr>
                <th />
                <th>{t('compare_from')}</th>
                <th>{t('compare_to')}</th>
              </tr>
            </thead>
            <tbody>
              {view.fields.map((d) => (
                <tr data-field={d.field}>
                  <th>{pick(d.label, lang)}</th>
                  <td class="old">
                    <DiffText d={d} side="old" />
                  </td>
                  <td class="new">
                    <DiffText d={d} side="new" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="actions">
          <button type="button" onClick={props.close}>{t('close')}</button>
        </div>
      </div>
    </div>
  );
}
