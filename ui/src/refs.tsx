// References between documents: a field that points at another document
// (optionally one element of it), picked by searching the library; shown
// with the target's title, or "not available to you" when this device does
// not hold the target (a colleague's private draft, a document not shared),
// which says nothing more about it. Beside the form, "what links here".

import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { pick } from './i18n';
import type { Backlink } from './generated/Backlink';
import type { DocSummary } from './generated/DocSummary';
import type { Kind } from './generated/Kind';
import type { LinkInfo } from './generated/LinkInfo';

/** What a reference field needs from the editor around it. */
export type RefScope = { self: string; links: LinkInfo[]; open: (id: string) => void };

export const RefCtx = createContext<RefScope | null>(null);

/** A stored reference: `DOC` or `DOC#ELEMENT`. */
export function parseRef(v: unknown): { doc: string; element: string | null } | null {
  if (typeof v !== 'string' || v === '') return null;
  const i = v.indexOf('#');
  return i < 0 ? { doc: v, element: null } : { doc: v.slice(0, i), element: v.slice(i + 1) };
}

/** The title a reference shows: the target's, once the app resolved it, else the one just picked. */
export function refTitle(links: LinkInfo[], v: unknown, picked: Map<string, string>): { title: string | null; available: boolean } {
  const r = parseRef(v);
  if (!r) return { title: null, available: true };
  const l = links.find((l) => l.to === r.doc);
  if (l) return { title: l.title, available: l.available };
  const p = picked.get(r.doc);
  return p !== undefined ? { title: p, available: true } : { title: null, available: true };
}

export function RefInput(props: { id: string; field: string; kinds: Kind[]; value: unknown; readOnly: boolean; onChange: (v: string | null) => void }) {
  const { t, lang, schema } = useApp();
  const scope = useContext(RefCtx);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [found, setFound] = useState<DocSummary[]>([]);
  const picked = useRef(new Map<string, string>());
  const seq = useRef(0);
  const r = parseRef(props.value);
  const shown = refTitle(scope?.links ?? [], props.value, picked.current);

  useEffect(() => {
    if (!open) return;
    const my = ++seq.current;
    const q = { kind: props.kinds.length === 1 ? props.kinds[0] : null, filters: {}, scope: 'all' as const, limit: 8, offset: 0 };
    const run = text.trim() ? api.search(text, q).then((hs) => hs.map((h) => h.summary)) : api.list(q);
    run.then(
      (rows) => {
        if (my !== seq.current) return;
        setFound(rows.filter((d) => d.id !== scope?.self && (props.kinds.length === 0 || props.kinds.includes(d.kind))));
      },
      () => setFound([]),
    );
  }, [open, text]);

  const kindLabel = (k: Kind) => {
    const i = schema.kinds.find((x) => x.kind === k);
    return i ? pick(i.label, lang) : k;
  };

  return (
    <div class="ref" data-field={props.field}>
      {r ? (
        shown.available ? (
          <button type="button" class="ref-target" id={props.id} title={t('ref_open')} onClick={() => scope?.open(r.doc)}>
            ↗ {shown.title ?? r.doc.slice(0, 8)}
          </button>
        ) : (
          <span class="ref-target unavailable" id={props.id}>{t('ref_unavailable')}</span>
        )
      ) : (
        <span class="muted ref-empty" id={props.id}>{t('ref_none')}</span>
      )}
      {!props.readOnly && (
        <>
          <button type="button" class="ref-choose" onClick={() => setOpen(!open)}>{r ? t('ref_change') : t('ref_choose')}</button>
          {r && (
            <button type="button" class="ref-clear" onClick={() => props.onChange(null)} aria-label={t('ref_clear')} title={t('ref_clear')}>
              ✕
            </button>
          )}
        </>
      )}
      {open && (
        <div class="ref-picker" role="dialog" aria-label={t('ref_choose')}>
          <input class="ref-search" type="search" placeholder={t('ref_search')} value={text} onInput={(e) => setText(e.currentTarget.value)} autoFocus />
          <ul>
            {found.map((d) => (
              <li>
                <button
                  type="button"
                  class="ref-option"
                  onClick={() => {
                    picked.current.set(d.id, d.title);
                    setOpen(false);
                    setText('');
                    props.onChange(d.id);
                  }}
                >
                  <span class={`kind kind-${d.kind}`}>{kindLabel(d.kind)}</span> {d.title}
                </button>
              </li>
            ))}
            {found.length === 0 && <li class="muted">{t('ref_no_match')}</li>}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The documents on this device that refer to this one. */
export function LinkedFrom(props: { links: Backlink[]; open: (id: string) => void }) {
  const { t, lang, schema } = useApp();
  if (props.links.length === 0) return null;
  return (
    <section class="linked-from" aria-label={t('linked_from')}>
      <h3>{t('linked_from')}</h3>
      <ul>
        {props.links.map((b) => {
          const k = schema.kinds.find((x) => x.kind === b.kind);
          const f = k?.sections.flatMap((s) => s.fields).find((f) => f.key === b.field);
          return (
            <li>
              <button type="button" class="backlink" onClick={() => props.open(b.id)}>
                <span class={`kind kind-${b.kind}`}>{k ? pick(k.label, lang) : b.kind}</span> {b.title}
              </button>
              {f && <span class="muted small"> · {pick(f.label, lang)}</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
