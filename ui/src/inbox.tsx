// The inbox: what colleagues did that concerns this teacher (comments,
// suggestions, replies, mentions, decisions, stages, review requests and
// reviews, best versions, reflections), grouped by day, newest first.
// Opening an item marks it read and opens its document at its thread.

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { dayLabel, groupByDay } from './collab';
import { formatTime, pick, type Key } from './i18n';
import type { InboxEntry } from './generated/InboxEntry';

const KINDS: Record<string, Key> = {
  comment: 'inbox_comment',
  suggestion: 'inbox_suggestion',
  reply: 'inbox_reply',
  mention: 'inbox_mention',
  decision: 'inbox_decision',
  stage: 'inbox_stage',
  review_request: 'inbox_review_request',
  review: 'inbox_review',
  scores: 'inbox_scores',
  best: 'inbox_best',
  reflection: 'inbox_reflection',
};

export function Inbox(props: { open: (doc: string, thread: string | null) => void; onError: (e: unknown) => void; remoteTick: number; onRead: () => void }) {
  const { t, lang, joined } = useApp();
  const [items, setItems] = useState<InboxEntry[] | null>(null);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const load = () =>
    api.inbox(unreadOnly).then(setItems, (e) => {
      setItems([]);
      props.onError(e);
    });
  useEffect(() => {
    void load();
  }, [unreadOnly, props.remoteTick]);

  const open = async (i: InboxEntry) => {
    try {
      if (!i.read) await api.markRead(i.doc, [i.item]);
      props.onRead();
    } catch (e) {
      props.onError(e);
    }
    props.open(i.doc, i.thread || null);
  };
  const readAll = async () => {
    try {
      await api.markRead(null, []);
      props.onRead();
      await load();
    } catch (e) {
      props.onError(e);
    }
  };
  const unread = (items ?? []).filter((i) => !i.read).length;
  const now = Date.now();
  return (
    <div class="inbox">
      <div class="inbox-head">
        <h1>{t('inbox')}</h1>
        <span class="muted">{t('inbox_unread', { n: unread })}</span>
        <div class="spacer" />
        <label class="small">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.currentTarget.checked)} /> {t('inbox_unread_only')}
        </label>
        <button type="button" class="read-all" disabled={unread === 0} onClick={() => void readAll()}>{t('inbox_read_all')}</button>
      </div>
      {items && items.length === 0 && <p class="muted empty-results">{joined ? t('inbox_empty') : t('collab_join_first')}</p>}
      {items &&
        groupByDay(items).map((g) => (
          <section class="inbox-day">
            <h2>{dayLabel(g.day, now, lang, { today: t('today'), yesterday: t('yesterday') })}</h2>
            <ul class="inbox-items">
              {g.items.map((i) => (
                <li>
                  <button type="button" class={`inbox-item ${i.read ? 'read' : 'unread'}`} data-kind={i.kind} onClick={() => void open(i)}>
                    <span class="dot" aria-label={i.read ? undefined : t('unread')} />
                    <span class="inbox-main">
                      <span>
                        <strong>{i.name}</strong> {KINDS[i.kind] ? t(KINDS[i.kind]) : i.kind}
                        <span class="inbox-title">{i.title}</span>
                      </span>
                      {i.text && <span class="inbox-text">{i.label ? pick(i.label, lang) : i.text}</span>}
                    </span>
                    <span class="muted small">{formatTime(i.at, lang)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </div>
  );
}
