import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { formatTime, pick } from './i18n';
import { sortRows, type SortBy } from './sort';
import type { CarriedSummary } from './generated/CarriedSummary';
import type { DocSummary } from './generated/DocSummary';
import type { Kind } from './generated/Kind';
import type { ListQuery } from './generated/ListQuery';
import type { Scope } from './generated/Scope';
import type { SnippetSpan } from './generated/SnippetSpan';
import type { UnreadCount } from './generated/UnreadCount';

const PAGE = 100;

type Row = { summary: DocSummary; snippet?: SnippetSpan[] };

export function Library(props: { open: (id: string) => void; onError: (e: unknown) => void; remoteTick: number; create: (k: Kind) => void; unread?: UnreadCount[] }) {
  const { t, lang, schema, joined } = useApp();
  const [text, setText] = useState('');
  const [query, setQuery] = useState<ListQuery>({ kind: null, filters: {}, scope: 'all', limit: PAGE, offset: 0 });
  const [rows, setRows] = useState<Row[] | null>(null);
  // The search text the rows shown answer (search-as-you-type shows an
  // older answer until the newest arrives): on the page as data-shown-for,
  // for tests and the benchmark to wait on the right answer.
  const [shownFor, setShownFor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [sortBy, setSortBy] = useState<SortBy>('relevance');
  const seq = useRef(0);
  // Documents of kinds this version does not know: listed apart, never opened.
  const [carried, setCarried] = useState<CarriedSummary[]>([]);

  const load = async (append = false) => {
    const my = ++seq.current;
    const q = { ...query, offset: append ? (rows?.length ?? 0) : 0 };
    try {
      const got: Row[] = text.trim()
        ? (await api.search(text, q)).map((h) => ({ summary: h.summary, snippet: h.snippet }))
        : (await api.list(q)).map((s) => ({ summary: s }));
      // Search-as-you-type: an older answer arriving late is dropped.
      if (my !== seq.current) return;
      setRows(append && rows ? [...rows, ...got] : got);
      setShownFor(text);
      setMore(got.length === PAGE);
    } catch (e) {
      props.onError(e);
    }
  };

  useEffect(() => {
    void load();
  }, [text, query, props.remoteTick]);

  // When the library is first on screen after launch (the next frame after
  // its rows render): the benchmark's launch time ends here. Marked once
  // per window, not on every return to the library.
  useEffect(() => {
    if (rows !== null && performance.getEntriesByName('rounds:library-shown').length === 0) {
      requestAnimationFrame(() => {
        if (performance.getEntriesByName('rounds:library-shown').length === 0) performance.mark('rounds:library-shown');
      });
    }
  }, [rows]);

  useEffect(() => {
    api.carried().then(setCarried, (e) => props.onError(e));
  }, [props.remoteTick]);

  const set = (patch: Partial<ListQuery>) => setQuery({ ...query, ...patch });
  const kindInfo = (k: Kind) => schema.kinds.find((i) => i.kind === k);
  // The filters offered: those of the chosen kind, or those every kind has.
  const offered = schema.filters.filter((f) => (query.kind ? f.kinds.includes(query.kind) : schema.kinds.every((k) => f.kinds.includes(k.kind))));
  const setFilter = (key: string, v: string | null) => {
    const filters = { ...query.filters };
    if (v) filters[key] = v;
    else delete filters[key];
    set({ filters });
  };
  const chooseKind = (k: Kind | null) => {
    // A filter the new kind does not have would match nothing: drop it.
    const filters: Record<string, string> = {};
    for (const [key, v] of Object.entries(query.filters)) {
      const f = schema.filters.find((f) => f.key === key);
      if (v && f && (!k || f.kinds.includes(k))) filters[key] = v;
    }
    set({ kind: k, filters });
  };
  const chips = (s: DocSummary) =>
    (kindInfo(s.kind)?.filters ?? []).map((key) => {
      const v = s.filters[key];
      const c = schema.filters.find((f) => f.key === key)?.choices.find((c) => c.value === v);
      return c ? pick(c.label, lang) : null;
    });

  const isEmptyLibrary = rows !== null && rows.length === 0 && !text.trim() && query.scope === 'all' && !query.kind && Object.keys(query.filters).length === 0;

  const loadSamples = async () => {
    try {
      await api.importSamples();
      void load();
    } catch (e) {
      props.onError(e);
    }
  };

  const select = (label: string, value: string | null, options: { value: string; label: string }[], onChange: (v: string | null) => void, id: string) => (
    <label class="filter" for={id}>
      <span>{label}</span>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || null)}>
        <option value="">{t('any')}</option>
        {options.map((o) => (
          <option value={o.value}>{o.label}</option>
        ))}
      </select>
    </label>
  );

  const scopes: Scope[] = ['all', 'mine', 'shared', 'trash'];

  return (
    <section class="library" aria-label={t('library')} data-shown-for={shownFor ?? undefined}>
      <div class="toolbar">
        <input
          id="search"
          type="search"
          class="search"
          placeholder={t('search_placeholder')}
          aria-label={t('search_label')}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <div class="filters">
          {select(t('filter_kind'), query.kind, schema.kinds.map((k) => ({ value: k.kind, label: pick(k.label, lang) })), (v) => chooseKind(v), 'f-kind')}
          {offered.map((f) =>
            select(pick(f.label, lang), query.filters[f.key] ?? null, f.choices.map((c) => ({ value: c.value, label: pick(c.label, lang) })), (v) => setFilter(f.key, v), `f-${f.key}`),
          )}
          <div class="scopes" role="radiogroup" aria-label={t('filter_scope')}>
            {scopes.map((s) => (
              <button role="radio" aria-checked={query.scope === s} class={query.scope === s ? 'on' : ''} onClick={() => set({ scope: s })}>
                {t(`scope_${s}`)}
              </button>
            ))}
          </div>
        </div>
      </div>

      {rows === null && <p class="muted">{t('loading')}</p>}

      {isEmptyLibrary && (
        <div class="empty">
          <img src="./icon.png" alt="" width={72} height={72} />
          <h2>{t('empty_title')}</h2>
          <p>{t('empty_body')}</p>
          <div class="actions">
            <button class="primary" onClick={loadSamples}>{t('load_samples')}</button>
            {schema.kinds.map((k) => (
              <button onClick={() => props.create(k.kind)}>+ {pick(k.new_doc, lang)}</button>
            ))}
          </div>
          <p class="muted small">{t('shortcuts')}</p>
        </div>
      )}

      {rows !== null && rows.length === 0 && !isEmptyLibrary && (
        <p class="muted empty-results">{text.trim() ? t('no_results', { q: text.trim() }) : t('no_docs_filter')}</p>
      )}

      {rows !== null && rows.length > 0 && (
        <div class="result-bar">
          {text.trim() && <span class="hit-count">{t(more ? 'hits_more' : 'hits', { n: rows.length })}</span>}
          <div class="spacer" />
          <label>
            {t('sort_by')}{' '}
            <select class="sort" value={text.trim() ? sortBy : sortBy === 'relevance' ? 'newest' : sortBy} onChange={(e) => setSortBy(e.currentTarget.value as SortBy)}>
              {text.trim() && <option value="relevance">{t('sort_relevance')}</option>}
              <option value="newest">{t('sort_newest')}</option>
              <option value="title">{t('sort_title')}</option>
            </select>
          </label>
        </div>
      )}

      {rows !== null && rows.length > 0 && (
        <ul class="doclist" aria-label={t('library')}>
          {sortRows(rows, text.trim() || sortBy !== 'relevance' ? sortBy : 'newest', lang).map(({ summary: s, snippet }) => (
            <li>
              <button class="doc" onClick={() => props.open(s.id)}>
                <span class={`kind kind-${s.kind}`}>{pick(kindInfo(s.kind)?.label ?? { zh: s.kind, en: s.kind }, lang)}</span>
                <span class="doc-main">
                  <span class="doc-title">
                    {s.title}
                    {(() => {
                      const n = props.unread?.find((u) => u.doc === s.id)?.count ?? 0;
                      return n > 0 ? <span class="badge unread-badge" title={t('inbox_unread', { n })}>{n}</span> : null;
                    })()}
                  </span>
                  {snippet && snippet.length > 0 && (
                    <span class="snippet">
                      {snippet.map((p) => (p.hit ? <mark>{p.text}</mark> : <span>{p.text}</span>))}
                    </span>
                  )}
                  <span class="doc-meta">
                    {[...chips(s), ...s.tags.slice(0, 3)]
                      .filter(Boolean)
                      .map((x) => (
                        <span class="chip">{x}</span>
                      ))}
                  </span>
                </span>
                <span class="doc-side">
                  <span>{t('updated_at', { time: formatTime(s.updated, lang) })}</span>
                  <span class="muted">
                    {t('by_author', { name: s.author })} · {s.visibility === 'office' ? (joined ? t('visibility_office') : t('shared_when_joined')) : t('visibility_private')}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {more && (
        <button class="more" onClick={() => void load(true)}>
          {t('load_more')}
        </button>
      )}
      {carried.length > 0 && !text.trim() && (
        <section class="carried" aria-label={t('carried_title', { n: carried.length })}>
          <h3>{t('carried_title', { n: carried.length })}</h3>
          <p class="muted small">{t('carried_note')}</p>
          <ul class="doclist">
            {carried.map((c) => (
              <li class="carried-doc" data-id={c.id}>
                <span class="kind kind-newer">{c.kind}</span>
                <span class="doc-main">
                  <span class="doc-title">{c.title}</span>
                </span>
                <span class="doc-side">
                  <span>{t('updated_at', { time: formatTime(c.updated, lang) })}</span>
                  <span class="muted">{c.visibility === 'office' ? t('visibility_office') : t('visibility_private')}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
