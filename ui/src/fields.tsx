// The form's controls, generated from the schema tables: text (growing
// text areas), choices, numbers, dates typed as text, and lists of rows
// with add, remove and reorder; each with its errors and, in a case, the
// likely identifiers found in it.

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fitTextarea } from './autogrow';
import { useApp } from './ctx';
import { addRow, displayValue, moveRow, parseInput, removeRow, type InputError, type Json, type Row } from './form';
import { formatDate } from './dates';
import { pick } from './i18n';
import { RefInput } from './refs';
import type { FieldInfo } from './generated/FieldInfo';
import type { Finding } from './generated/Finding';

/** Likely identifiers found in one field, each with its reason and a button that masks it. */
export function Findings(props: { findings: Finding[]; onMask: (f: Finding) => void; withField?: boolean }) {
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

export function FieldEditor(props: { field: FieldInfo; value: unknown; readOnly: boolean; error?: string; findings?: Finding[]; onMask?: (f: Finding) => void; onChange: (v: Json) => void; onList: (rows: Row[], immediate: boolean, removed?: Row) => void; compact?: boolean; hideLabel?: boolean; after?: preact.ComponentChildren }) {
  const { t, lang, locale } = useApp();
  const f = props.field;
  const label = pick(f.label, lang);
  const id = useMemo(() => `f-${f.key}-${Math.random().toString(36).slice(2, 8)}`, [f.key]);
  const [localError, setLocalError] = useState<InputError | null>(null);
  const input = f.input;

  const onRaw = (raw: string) => {
    const r = parseInput(f, raw, locale);
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
        <GrowingTextarea id={id} field={f.key} value={displayValue(props.value)} readOnly={props.readOnly} rows={props.compact ? 2 : 3} max={input.max} onRaw={onRaw} />
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
    case 'ref':
      control = <RefInput id={id} field={f.key} kinds={input.kinds} value={props.value} readOnly={props.readOnly} onChange={(v) => props.onChange(v)} />;
      break;
    case 'date':
      control = <DateInput id={id} field={f.key} value={props.value} readOnly={props.readOnly} invalid={localError !== null} onRaw={onRaw} />;
      break;
    case 'list': {
      const rows = (Array.isArray(props.value) ? props.value : []) as Row[];
      const item = input.item;
      const setRow = (i: number, key: string, v: Json) => props.onList(rows.map((r, j) => (j === i ? { ...r, [key]: v } : r)), false);
      return (
        <div class={`field list-field list-${f.key}`} data-list={f.key} role="group" aria-label={label}>
          {!props.hideLabel && <span class="label">{label}</span>}
          {rows.map((r, i) => (
            <div class="row" key={r._k} data-row={typeof r.id === 'string' ? r.id : ''} role="group" aria-label={`${label} · ${t('row_n', { n: i + 1 })}`}>
              <div class="row-fields">
                {item.map((sub) => (
                  <FieldEditor field={sub} value={r[sub.key]} readOnly={props.readOnly} compact findings={r.id ? props.findings?.filter((x) => x.row === r.id && x.sub_field === sub.key) : []} onMask={props.onMask} onChange={(v) => setRow(i, sub.key, v)} onList={() => {}} />
                ))}
              </div>
              {!props.readOnly && (
                <div class="row-tools">
                  <button type="button" aria-label={`${t('move_up')} (${t('row_n', { n: i + 1 })})`} title={t('move_up')} disabled={i === 0} onClick={() => props.onList(moveRow(rows, i, -1), true)}>↑</button>
                  <button type="button" aria-label={`${t('move_down')} (${t('row_n', { n: i + 1 })})`} title={t('move_down')} disabled={i === rows.length - 1} onClick={() => props.onList(moveRow(rows, i, 1), true)}>↓</button>
                  <button type="button" aria-label={`${t('remove_row')} (${t('row_n', { n: i + 1 })})`} title={t('remove_row')} class="danger" onClick={() => props.onList(removeRow(rows, i), true, r)}>✕</button>
                </div>
              )}
            </div>
          ))}
          {!props.readOnly && rows.length < input.max_items && (
            <button type="button" class="add-row" onClick={() => props.onList(addRow(rows, item), true)}>+ {t('add_row')}</button>
          )}
          {props.after}
          {props.error && <p class="field-error">{props.error}</p>}
        </div>
      );
    }
  }
  return (
    <div class={`field field-${input.type} ${props.compact ? 'compact' : ''} ${input.type === 'text' && input.multiline ? 'wide' : ''}`}>
      {/* A section holding one field of the same name shows the name once, as the section's. */}
      <label class={`label ${props.hideLabel ? 'sr-only' : ''}`} for={id}>{label}</label>
      {control}
      {(props.error || localError) && <p class="field-error" role="alert">{props.error ?? localErrorText(t, localError as InputError, input, lang, locale)}</p>}
      {props.findings && props.onMask && <Findings findings={props.findings} onMask={props.onMask} />}
    </div>
  );
}

/** What the editor says about a value it will not send, in the UI's language. */
function localErrorText(t: ReturnType<typeof useApp>['t'], e: InputError, input: FieldInfo['input'], lang: ReturnType<typeof useApp>['lang'], locale: string): string {
  if (input.type === 'date') {
    return e === 'date_range' ? t('err_date_range', { min: input.min_year, max: input.max_year }) : t('err_date', { example: formatDate('2026-03-15', lang, locale) });
  }
  return t(`err_${e as 'number' | 'range' | 'length'}`, { min: 'min' in input ? input.min : '', max: 'max' in input ? input.max : '' });
}

/**
 * A date typed as text: the stored date shown in the UI's way until the
 * teacher types, then what they type, read as a date on each keystroke
 * (see dates.ts). A typed date that is not valid stays on screen, marked.
 */
function DateInput(props: { id: string; field: string; value: unknown; readOnly: boolean; invalid: boolean; onRaw: (raw: string) => void }) {
  const { lang, locale } = useApp();
  const shown = formatDate(props.value, lang, locale);
  // What is being typed; null while the field shows the stored date.
  const [typed, setTyped] = useState<string | null>(null);
  return (
    <input
      id={props.id}
      data-field={props.field}
      class="date-input"
      inputMode="numeric"
      autoComplete="off"
      value={typed ?? shown}
      placeholder={lang === 'zh' ? 'YYYY-MM-DD' : formatDate('2026-03-15', lang, locale)}
      readOnly={props.readOnly}
      aria-invalid={props.invalid}
      onInput={(e) => {
        setTyped(e.currentTarget.value);
        props.onRaw(e.currentTarget.value);
      }}
      // Once a valid date is typed, it is shown the UI's way.
      onBlur={() => {
        if (!props.invalid) setTyped(null);
      }}
    />
  );
}

/** A text area that grows with its text (see autogrow.ts), on typing and when its value changes from outside (a colleague's change, a version shown). */
function GrowingTextarea(props: { id: string; field: string; value: string; readOnly: boolean; rows: number; max: number; onRaw: (raw: string) => void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (ref.current) fitTextarea(ref.current);
  }, [props.value]);
  useEffect(() => {
    const onResize = () => ref.current && fitTextarea(ref.current);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return (
    <textarea
      ref={ref}
      id={props.id}
      data-field={props.field}
      value={props.value}
      readOnly={props.readOnly}
      rows={props.rows}
      maxLength={props.max}
      onInput={(e) => {
        fitTextarea(e.currentTarget);
        props.onRaw(e.currentTarget.value);
      }}
    />
  );
}
