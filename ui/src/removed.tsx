// Rows a colleague removed while this teacher was editing them: the merge
// keeps the removal, the teacher's text is kept inside the hidden row, and
// this notice offers to bring the row back or let the removal stand.

import { useApp } from './ctx';
import type { RemovedRow } from './generated/RemovedRow';

export function RemovedRows(props: {
  rows: RemovedRow[];
  fieldName: (key: string) => string;
  onRestore: (r: RemovedRow) => void;
  onDismiss: (r: RemovedRow) => void;
}) {
  const { t } = useApp();
  if (props.rows.length === 0) return null;
  return (
    <div class="banner warn removed-rows" role="alert">
      <ul>
        {props.rows.map((r) => (
          <li data-row={r.row}>
            <span>{t('removed_row', { field: props.fieldName(r.field) })}</span>
            {r.text && <q>{r.text}</q>}
            <button class="primary restore-row" onClick={() => props.onRestore(r)}>
              {t('restore_row')}
            </button>
            <button class="dismiss-removed" onClick={() => props.onDismiss(r)}>
              {t('keep_removed')}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
