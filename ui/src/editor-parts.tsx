// The editor's smaller parts, each shown beside the form (editor.tsx): what
// changed since a version shown, and the teaching process's minutes
// against the class hours.

import { minutesCheck } from './minutes';
import { useApp } from './ctx';
import type { FieldInfo } from './generated/FieldInfo';
import type { FieldChange, Part } from './versions';

/** What changed since the version shown, field by field: deleted text struck through, inserted text marked, and the earlier text to copy. */
export function VersionChanges(props: { changes: FieldChange[]; onCopy: (c: FieldChange) => void }) {
  const { t } = useApp();
  return (
    <section class="version-changes" aria-label={t('changes_since')}>
      <h2>{t('changes_since')}</h2>
      {props.changes.length === 0 && <p class="muted">{t('no_changes_since')}</p>}
      {props.changes.map((c) => (
        <div class="version-change" data-key={c.key}>
          <div class="version-change-head">
            <strong>{c.label}</strong>
            <button type="button" class="copy-field" onClick={() => props.onCopy(c)}>{t('copy_text')}</button>
          </div>
          <p class="diff">
            {c.parts.map((p: Part) => (p.kind === 'ins' ? <ins>{p.text}</ins> : p.kind === 'del' ? <del>{p.text}</del> : <span>{p.text}</span>))}
          </p>
        </div>
      ))}
    </section>
  );
}

/** A list whose rows have minutes (a teaching process): its total is shown under it, against the class hours. */
export function timed(f: FieldInfo): boolean {
  return f.input.type === 'list' && f.input.item.some((i) => i.key === 'minutes' && i.input.type === 'int');
}

/** The teaching process's minutes against the class hours (学时 of 45 minutes), with a warning when they differ. */
export function MinutesTotal(props: { process: unknown; hours: unknown }) {
  const { t } = useApp();
  const m = minutesCheck(props.process, props.hours);
  if (m.total === 0 && m.expected === null) return null;
  return (
    <p class={`minutes-total ${m.differs ? 'warn' : 'ok'}`} role="status">
      {m.expected === null ? t('minutes_total', { total: m.total }) : m.differs ? t('minutes_differ', { total: m.total, hours: m.hours, expected: m.expected }) : t('minutes_match', { total: m.total, hours: m.hours })}
    </p>
  );
}
