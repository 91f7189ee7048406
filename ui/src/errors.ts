// What the teacher reads when a command fails, in the UI's language. The
// backend's messages are English and written for logs and the CLI; here an
// AppError's code (and, for bad input, the field it names) chooses a
// catalog text that says what happened and what to do next. A test checks
// that every code in generated/ErrorCode.ts has its text in both catalogs.

import { asAppError } from './api';
import { pick, translate, type Key, type Lang } from './i18n';
import type { AppError } from './generated/AppError';
import type { ErrorCode } from './generated/ErrorCode';
import type { FieldInfo } from './generated/FieldInfo';
import type { SchemaInfo } from './generated/SchemaInfo';

/** The catalog key of each error code's text. */
export const ERROR_KEYS: Record<ErrorCode, Key> = {
  invalid: 'error_invalid',
  not_found: 'error_not_found',
  read_only: 'error_read_only',
  not_joined: 'error_not_joined',
  offline: 'error_offline',
  unauthorized: 'error_unauthorized',
  certificate_changed: 'error_certificate_changed',
  certificate_untrusted: 'error_certificate_untrusted',
  forbidden: 'error_forbidden',
  internal: 'error_internal',
};

/** Where the error happened, when that changes what to say. */
export type ErrorPlace = 'join' | null;

/** A field named by an error (`date`, `process[2].minutes`), with its label in the UI's language. */
export function fieldAt(schema: SchemaInfo, path: string, lang: Lang): { field: FieldInfo; label: string } | null {
  const m = /^([a-z_]+)(?:\[(\d+)\](?:\.([a-z_]+))?)?$/.exec(path);
  if (!m) return null;
  for (const k of schema.kinds) {
    for (const s of k.sections) {
      for (const f of s.fields) {
        if (f.key !== m[1]) continue;
        if (m[2] === undefined || f.input.type !== 'list') return { field: f, label: pick(f.label, lang) };
        const row = translate(lang, 'row_n', { n: Number(m[2]) + 1 });
        const sub = m[3] ? f.input.item.find((x) => x.key === m[3]) : undefined;
        if (!sub) return { field: f, label: `${pick(f.label, lang)} · ${row}` };
        return { field: sub, label: `${pick(f.label, lang)} · ${row} · ${pick(sub.label, lang)}` };
      }
    }
  }
  return null;
}

/** What a field of this type takes, said in the UI's language. */
function problem(f: FieldInfo, lang: Lang): string {
  const i = f.input;
  switch (i.type) {
    case 'text':
      return translate(lang, 'problem_text', { max: i.max });
    case 'choice':
      return translate(lang, 'problem_choice');
    case 'int':
    case 'number':
      return translate(lang, 'problem_number', { min: i.min, max: i.max });
    case 'date':
      return translate(lang, 'problem_date', { min: i.min_year, max: i.max_year });
    case 'list':
      return translate(lang, 'problem_list', { max: i.max_items });
    case 'ref':
      return translate(lang, 'problem_ref');
  }
}

/** The text to show for a failed command. */
export function errorText(e: AppError, lang: Lang, schema: SchemaInfo, place: ErrorPlace = null): string {
  const t = (k: Key, p?: Record<string, string | number>) => translate(lang, k, p);
  if (place === 'join') {
    if (e.code === 'offline') return t('error_join_offline');
    if (e.code === 'unauthorized' || (e.code === 'invalid' && e.field === 'code')) return t('error_join_code');
    if (e.code === 'invalid' && e.field === 'url') return t('error_join_url');
  }
  if (e.code === 'forbidden' && e.field) {
    // A refusal by the office's rules, named by the rule it broke.
    const rules: Record<string, Key> = { stage: 'forbidden_stage', suggestion: 'forbidden_suggestion', edit: 'forbidden_edit', group: 'forbidden_group', review: 'forbidden_review', scores: 'forbidden_scores', best: 'forbidden_best', comment: 'forbidden_comment' };
    if (rules[e.field]) return t(rules[e.field]);
  }
  if (e.code === 'invalid' && ['comment', 'body', 'reply', 'suggestion'].includes(e.field ?? '') && e.message.includes('empty')) return t('error_body');
  if (e.code === 'invalid' && e.field) {
    const special: Record<string, Key> = { title: 'error_title', name: 'name_empty', findings: 'error_findings', attestation: 'error_attestation', url: 'error_join_url', code: 'error_join_code', fingerprint: 'error_join_fingerprint', folder: 'error_usb_folder', bundle_register: 'error_usb_register', bundle_missing: 'error_usb_missing', bundle: 'error_usb_refused', paths: 'error_word_paths' };
    if (special[e.field]) return t(special[e.field], { max: schema.title_max });
    if (/^tags(\[\d+\])?$/.test(e.field)) return t('error_tags', { max: schema.tags_max });
    const at = fieldAt(schema, e.field, lang);
    if (at) return t('error_field', { field: at.label, problem: problem(at.field, lang) });
  }
  const key = (ERROR_KEYS as Record<string, Key | undefined>)[e.code] ?? 'error_internal';
  return t(key, { detail: e.message });
}

/**
 * An error shown in the app's banner, kept as it came rather than as text,
 * so that the banner follows a change of language while it is open.
 * `internal` marks a failure before the app could start (no schema yet).
 */
export type Shown = { e: unknown; internal?: boolean };

/** The banner's text for `shown`, in `lang`. */
export function bannerText(shown: Shown, lang: Lang, schema: SchemaInfo | null): string {
  const e = asAppError(shown.e);
  if (shown.internal || !schema) return translate(lang, 'error_internal', { detail: e.message });
  return errorText(e, lang, schema, null);
}
