// The comment margin beside the editor: threads in the form's order, each
// with the text it is about, its messages, a reply box with @mentions,
// resolve and reopen; suggestions with their proposed text and, for the
// lead preparer, accept and reject (and accept all); threads whose text
// was deleted apart, under "Text deleted", with their quote.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { completeMention, matchMembers, mentionQuery, openSuggestions, sortThreads } from './collab';
import { formatTime } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { MemberInfo } from './generated/MemberInfo';
import type { TargetInput } from './generated/TargetInput';
import type { ThreadView } from './generated/ThreadView';

/** A comment or suggestion being written about a selection (or a whole field). */
export interface Draft {
  mode: 'comment' | 'suggest';
  target: TargetInput;
  quote: string;
}

/** Scrolls the margin's list (only it: the window never moves) so that `el` is in view. */
export function reveal(el: Element | null | undefined) {
  const e = el as HTMLElement | null;
  const list = e?.closest('.thread-list') as HTMLElement | null;
  if (!e || !list) return;
  const top = e.offsetTop;
  if (top < list.scrollTop) list.scrollTop = Math.max(0, top - 4);
  else if (top + e.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top + e.offsetHeight - list.clientHeight + 4;
}

/** A text box that offers the office's members while an @name is typed; the members picked are its mentions. */
export function MentionBox(props: { value: string; onInput: (v: string) => void; members: MemberInfo[]; mentions: string[]; onMentions: (m: string[]) => void; placeholder: string; rows?: number; name?: string; autoFocus?: boolean }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  useEffect(() => {
    if (props.autoFocus) {
      ref.current?.focus({ preventScroll: true });
      reveal(ref.current?.closest('form'));
    }
  }, []);
  useEffect(() => {
    if (query !== null) reveal(ref.current?.parentElement?.querySelector('.mention-picker'));
  }, [query]);
  const pick = (m: MemberInfo) => {
    const el = ref.current;
    const caret = el?.selectionStart ?? props.value.length;
    const r = completeMention(props.value, caret, m.name);
    props.onInput(r.body);
    if (!props.mentions.includes(m.id)) props.onMentions([...props.mentions, m.id]);
    setQuery(null);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(r.caret, r.caret);
    });
  };
  const shown = query === null ? [] : matchMembers(props.members, query).slice(0, 6);
  return (
    <div class="mention-box">
      <textarea
        ref={ref}
        name={props.name}
        rows={props.rows ?? 2}
        value={props.value}
        placeholder={props.placeholder}
        onInput={(e) => {
          const el = e.currentTarget;
          props.onInput(el.value);
          setQuery(mentionQuery(el.value, el.selectionStart ?? el.value.length)?.query ?? null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setQuery(null);
          if (e.key === 'Enter' && shown.length > 0 && query !== null) {
            e.preventDefault();
            pick(shown[0]);
          }
        }}
      />
      {shown.length > 0 && (
        <ul class="mention-picker" role="listbox">
          {shown.map((m) => (
            <li>
              <button type="button" class="mention-option" onMouseDown={(e) => e.preventDefault()} onClick={() => pick(m)}>
                @{m.name}
                {m.site && <span class="muted"> · {m.site}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The mentions still named in the text (a name deleted from the text is no longer mentioned). */
function keptMentions(body: string, mentions: string[], members: MemberInfo[]): string[] {
  return mentions.filter((id) => {
    const m = members.find((x) => x.id === id);
    return m && body.includes(`@${m.name}`);
  });
}

export function Margin(props: {
  id: string;
  collab: CollabView;
  fieldLabel: (field: string, row: string, item: string) => string;
  order: string[];
  draft: Draft | null;
  setDraft: (d: Draft | null) => void;
  active: string | null;
  activeField: string | null;
  onCollab: (v: CollabView, contentChanged?: boolean) => void;
  onJump: (t: ThreadView) => void;
  onError: (e: unknown) => void;
}) {
  const { t } = useApp();
  const c = props.collab;
  const [showResolved, setShowResolved] = useState(false);
  const others = c.members.filter((m) => m.id !== c.me?.id);
  const all = sortThreads(c.threads, props.order);
  const shown = all.filter((x) => showResolved || x.state === 'open' || x.id === props.active);
  const pendingSuggestions = openSuggestions(c.threads);
  const listRef = useRef<HTMLDivElement>(null);

  // The margin follows the form: the active thread, or the first thread of the field being edited, comes into view.
  useEffect(() => {
    const sel = props.active ? `[data-thread="${props.active}"]` : props.activeField ? `[data-thread-field="${props.activeField}"]` : null;
    if (!sel) return;
    reveal(listRef.current?.querySelector(sel));
  }, [props.active, props.activeField]);

  const act = async (f: () => Promise<CollabView>, contentChanged = false) => {
    try {
      props.onCollab(await f(), contentChanged);
    } catch (e) {
      props.onError(e);
    }
  };

  const step = (dir: 1 | -1) => {
    if (shown.length === 0) return;
    const i = shown.findIndex((x) => x.id === props.active);
    const next = shown[(i + dir + shown.length) % shown.length] ?? shown[0];
    props.onJump(next);
  };

  return (
    <aside class="margin no-print" aria-label={t('comments')}>
      <div class="margin-head">
        <strong>{t('comments_n', { n: c.threads.filter((x) => x.state === 'open').length })}</strong>
        <button type="button" class="thread-prev" title={t('previous_thread')} aria-label={t('previous_thread')} onClick={() => step(-1)} disabled={shown.length === 0}>‹</button>
        <button type="button" class="thread-next" title={t('next_thread')} aria-label={t('next_thread')} onClick={() => step(1)} disabled={shown.length === 0}>›</button>
        <div class="spacer" />
        <label class="show-resolved small">
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.currentTarget.checked)} /> {t('show_resolved')}
        </label>
      </div>
      {c.allowed.decide_suggestions && pendingSuggestions.length > 1 && (
        <div class="margin-actions">
          <button type="button" class="accept-all primary" onClick={() => void act(() => api.decide(props.id, null, true), true)}>
            {t('accept_all', { n: pendingSuggestions.length })}
          </button>
        </div>
      )}
      {props.draft && <Composer {...props} others={others} />}
      <div class="thread-list" ref={listRef}>
        {shown.length === 0 && !props.draft && <p class="muted small margin-empty">{c.allowed.comment ? t('no_comments_hint') : t('no_comments')}</p>}
        {shown.map((x) => (
          <ThreadCard key={x.id} thread={x} {...props} others={others} act={act} />
        ))}
        {c.orphaned.length > 0 && (
          <section class="orphaned" aria-label={t('text_deleted')}>
            <h3>{t('text_deleted')}</h3>
            {c.orphaned.map((x) => (
              <ThreadCard key={x.id} thread={x} {...props} others={others} act={act} />
            ))}
          </section>
        )}
      </div>
      {c.allowed.comment && !props.draft && (
        <button type="button" class="comment-whole" onClick={() => props.setDraft({ mode: 'comment', target: { field: '', row: '', item: '', range: null }, quote: '' })}>
          + {t('comment_whole')}
        </button>
      )}
    </aside>
  );
}

function Composer(props: Parameters<typeof Margin>[0] & { others: MemberInfo[] }) {
  const { t } = useApp();
  const d = props.draft!;
  const [body, setBody] = useState('');
  const [proposed, setProposed] = useState(d.quote);
  const [mentions, setMentions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const where = d.target.field ? props.fieldLabel(d.target.field, d.target.row, d.target.item) : t('whole_document');
  const send = async () => {
    setBusy(true);
    try {
      const v =
        d.mode === 'suggest'
          ? await api.suggest(props.id, d.target, proposed, body)
          : await api.comment(props.id, d.target, body, keptMentions(body, mentions, props.others));
      props.setDraft(null);
      props.onCollab(v);
    } catch (e) {
      props.onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class={`composer ${d.mode}`} onSubmit={(e) => { e.preventDefault(); void send(); }} aria-label={d.mode === 'suggest' ? t('suggest') : t('comment')}>
      <div class="thread-where">{where} · {d.mode === 'suggest' ? t('suggestion') : t('comment')}</div>
      {d.quote && <blockquote class="quote"><mark>{d.quote}</mark></blockquote>}
      {d.mode === 'suggest' && (
        <label class="field">
          <span class="label">{t('suggest_replace_with')}</span>
          <textarea name="proposed" rows={2} value={proposed} onInput={(e) => setProposed(e.currentTarget.value)} autoFocus />
        </label>
      )}
      <MentionBox name="body" value={body} onInput={setBody} members={props.others} mentions={mentions} onMentions={setMentions} placeholder={d.mode === 'suggest' ? t('suggest_why') : t('comment_placeholder')} autoFocus={d.mode === 'comment'} />
      <div class="composer-actions">
        <span class="muted small">{t('mention_hint')}</span>
        <div class="spacer" />
        <button type="button" onClick={() => props.setDraft(null)}>{t('cancel')}</button>
        <button type="submit" class="primary" disabled={busy || (d.mode === 'comment' ? !body.trim() : proposed === d.quote)}>
          {d.mode === 'suggest' ? t('suggest_send') : t('comment_send')}
        </button>
      </div>
    </form>
  );
}

function ThreadCard(props: Parameters<typeof Margin>[0] & { thread: ThreadView; others: MemberInfo[]; act: (f: () => Promise<CollabView>, contentChanged?: boolean) => Promise<void> }) {
  const { t, lang } = useApp();
  const x = props.thread;
  const c = props.collab;
  const [reply, setReply] = useState('');
  const [mentions, setMentions] = useState<string[]>([]);
  const [replying, setReplying] = useState(false);
  const card = useRef<HTMLElement>(null);
  const orphaned = x.place.state === 'orphaned';
  const now = x.place.state === 'range' ? x.place.text : x.quote;
  const where = x.field ? props.fieldLabel(x.field, x.row, x.item) : t('whole_document');
  const name = (id: string) => c.members.find((m) => m.id === id)?.name ?? '';
  const sendReply = async () => {
    await props.act(() => api.reply(props.id, x.id, reply, keptMentions(reply, mentions, props.others)));
    setReply('');
    setMentions([]);
    setReplying(false);
    requestAnimationFrame(() => reveal(card.current));
  };
  return (
    <article
      ref={card}
      class={`thread ${x.kind} ${x.state} ${props.active === x.id ? 'active' : ''} ${orphaned ? 'orphan' : ''}`}
      data-thread={x.id}
      data-thread-field={x.field}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('button, textarea, input')) return;
        if (!orphaned) props.onJump(x);
      }}
    >
      <header>
        <span class="thread-where">{where}</span>
        <span class={`chip ${x.kind === 'suggestion' ? 'warn' : ''}`}>{x.kind === 'suggestion' ? t('suggestion') : t('comment')}</span>
        {x.state === 'resolved' && <span class="chip ok">{t('resolved')}</span>}
      </header>
      {x.kind === 'suggestion' ? (
        <p class="proposal">
          <del>{now}</del> <span aria-hidden="true">→</span> <ins>{x.proposed}</ins>
        </p>
      ) : (
        x.quote && <blockquote class={`quote ${orphaned ? 'gone' : ''}`}>{orphaned ? <s>{x.quote}</s> : <mark>{now}</mark>}</blockquote>
      )}
      {x.decision && (
        <p class={`decision ${x.decision.value}`}>
          {x.decision.value === 'accepted' ? t('accepted_by', { name: x.decision.name }) : t('rejected_by', { name: x.decision.name })}
        </p>
      )}
      <ul class="messages">
        {[{ id: 'first', by: x.by, name: x.name, at: x.at, body: '', mentions: [] }, ...x.messages]
          .filter((_m, i) => i > 0 || x.messages.length === 0 || x.messages[0].by !== x.by)
          .map((m) => (
            <li>
              <span class="msg-head">
                <strong>{m.name}</strong> <span class="muted small">{formatTime(m.at, lang)}</span>
              </span>
              {m.body && <span class="msg-body">{m.body}</span>}
              {/* Mentions the text does not already name (a mention made elsewhere than by typing @). */}
              {m.mentions.filter((id) => !m.body.includes(`@${name(id)}`)).length > 0 && (
                <span class="muted small"> {m.mentions.filter((id) => !m.body.includes(`@${name(id)}`)).map((id) => `@${name(id)}`).join(' ')}</span>
              )}
            </li>
          ))}
      </ul>
      <div class="thread-actions">
        {x.kind === 'suggestion' && !x.decision && c.allowed.decide_suggestions && (
          <>
            {!orphaned && (
              <button type="button" class="accept primary" onClick={() => void props.act(() => api.decide(props.id, x.id, true), true).then(() => props.onJump({ ...x, place: { state: 'whole' } }))}>
                ✓ {t('accept')}
              </button>
            )}
            <button type="button" class="reject" onClick={() => void props.act(() => api.decide(props.id, x.id, false))}>
              ✕ {t('reject')}
            </button>
          </>
        )}
        {c.allowed.comment && !replying && (
          <button type="button" class="reply" onClick={() => setReplying(true)}>{t('reply')}</button>
        )}
        {c.allowed.resolve && (
          <button type="button" class="resolve" onClick={() => void props.act(() => api.resolve(props.id, x.id, x.state === 'open'))}>
            {x.state === 'open' ? t('resolve') : t('reopen')}
          </button>
        )}
      </div>
      {replying && (
        <form class="reply-form" onSubmit={(e) => { e.preventDefault(); void sendReply(); }}>
          <MentionBox name="reply" value={reply} onInput={setReply} members={props.others} mentions={mentions} onMentions={setMentions} placeholder={t('reply_placeholder')} autoFocus />
          <div class="composer-actions">
            <div class="spacer" />
            <button type="button" onClick={() => setReplying(false)}>{t('cancel')}</button>
            <button type="submit" class="primary" disabled={!reply.trim()}>{t('reply')}</button>
          </div>
        </form>
      )}
    </article>
  );
}
