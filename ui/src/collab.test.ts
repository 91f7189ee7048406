import { describe, expect, it } from 'vitest';
import { fieldOrder, completeMention, dayLabel, dayOf, groupByDay, matchMembers, mentionQuery, openSuggestions, reviewStepAllowed, selectionRange, sortThreads, toCodePoints, toUtf16 } from './collab';
import type { ThreadView } from './generated/ThreadView';
import type { InboxEntry } from './generated/InboxEntry';
import type { KindInfo } from './generated/KindInfo';

describe('selections in code points', () => {
  it('counts Chinese text one for one', () => {
    const text = '以一例中度脱水患儿导入';
    expect(selectionRange(text, 3, 9)).toEqual({ from: 3, to: 9, quote: '中度脱水患儿' });
  });

  it('counts a character outside the BMP once, though the webview counts it twice', () => {
    // 𠮷 (U+20BB7) and 👶 are two UTF-16 units each.
    const text = '𠮷野家👶补液方案';
    const start = text.indexOf('补液');
    expect(start).toBe(6);
    expect(toCodePoints(text, start)).toBe(4);
    expect(selectionRange(text, start, start + 2)).toEqual({ from: 4, to: 6, quote: '补液' });
    expect(toUtf16(text, 4)).toBe(start);
    for (let cp = 0; cp <= 8; cp++) expect(toCodePoints(text, toUtf16(text, cp))).toBe(cp);
  });

  it('takes a backwards selection and refuses an empty one', () => {
    expect(selectionRange('abcdef', 4, 1)).toEqual({ from: 1, to: 4, quote: 'bcd' });
    expect(selectionRange('abcdef', 2, 2)).toBeNull();
  });
});

describe('mentions', () => {
  it('finds the name being typed after an @', () => {
    expect(mentionQuery('请 @王', 4)).toEqual({ start: 2, query: '王' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('请 @王 看看', 7)).toBeNull();
  });

  it('completes it with the member picked', () => {
    expect(completeMention('请 @王看', 4, '王医生')).toEqual({ body: '请 @王医生 看', caret: 7 });
    expect(completeMention('好', 1, 'Li')).toEqual({ body: '好@Li ', caret: 5 });
  });

  it('filters members by name', () => {
    const ms = [{ name: '王医生' }, { name: '李主任' }, { name: 'Zhang Wei' }];
    expect(matchMembers(ms, '')).toHaveLength(3);
    expect(matchMembers(ms, '李')).toEqual([{ name: '李主任' }]);
    expect(matchMembers(ms, 'zhang')).toEqual([{ name: 'Zhang Wei' }]);
  });
});

const thread = (id: string, field: string, from: number | null, at: number, extra: Partial<ThreadView> = {}): ThreadView => ({
  id,
  by: 'm',
  name: 'n',
  at,
  kind: 'comment',
  field,
  row: '',
  item: '',
  quote: '',
  proposed: '',
  state: 'open',
  decision: null,
  messages: [],
  place: from === null ? { state: 'whole' } : { state: 'range', from, to: from + 1, text: 'x' },
  ...extra,
});

describe('threads', () => {
  it('follow the form: by field, then by place, whole-document ones first', () => {
    const order = ['title', 'objectives', 'methods'];
    const ts = [thread('a', 'methods', 10, 1), thread('b', 'methods', 2, 5), thread('c', 'objectives', null, 9), thread('d', '', null, 3)];
    expect(sortThreads(ts, order).map((t) => t.id)).toEqual(['d', 'c', 'b', 'a']);
    const kind = { sections: [{ key: 'goals', label: { zh: '', en: '' }, fields: [{ key: 'objectives' }] }, { key: 'methods', label: { zh: '', en: '' }, fields: [{ key: 'methods' }] }] } as unknown as KindInfo;
    expect(fieldOrder(kind)).toEqual(['title', 'section:goals', 'objectives', 'section:methods', 'methods']);
    const withSection = [...ts, thread('e', 'section:methods', null, 10)];
    expect(sortThreads(withSection, fieldOrder(kind)).map((t) => t.id)).toEqual(['d', 'c', 'e', 'b', 'a']);
  });

  it('accept all takes only undecided suggestions', () => {
    const ts = [
      thread('a', 'methods', 1, 1, { kind: 'suggestion' }),
      thread('b', 'methods', 2, 2, { kind: 'suggestion', decision: { value: 'rejected', by: 'x', name: 'x', at: 3 } }),
      thread('c', 'methods', 3, 3),
    ];
    expect(openSuggestions(ts).map((t) => t.id)).toEqual(['a']);
  });
});

describe('the review track', () => {
  it('moves as the office allows', () => {
    expect(reviewStepAllowed(null, 'submitted')).toBe(true);
    expect(reviewStepAllowed(null, 'approved')).toBe(false);
    expect(reviewStepAllowed('submitted', 'approved')).toBe(true);
    expect(reviewStepAllowed('in_review', 'changes_requested')).toBe(true);
    expect(reviewStepAllowed('approved', 'published')).toBe(true);
    expect(reviewStepAllowed('submitted', 'published')).toBe(false);
    expect(reviewStepAllowed('changes_requested', 'submitted')).toBe(true);
  });
});

const item = (id: string, at: number): InboxEntry => ({ doc: 'd', title: 't', item: id, kind: 'comment', by: 'b', name: 'n', at, thread: '', text: '', label: null, read: false });

describe('the inbox', () => {
  it('groups items by day, newest first', () => {
    const day = (y: number, m: number, d: number, h: number) => new Date(y, m - 1, d, h).getTime();
    const items = [item('a', day(2027, 3, 9, 10)), item('b', day(2027, 3, 10, 8)), item('c', day(2027, 3, 10, 17)), item('d', day(2027, 3, 8, 9))];
    const g = groupByDay(items);
    expect(g.map((x) => x.day)).toEqual(['2027-03-10', '2027-03-09', '2027-03-08']);
    expect(g[0].items.map((i) => i.item)).toEqual(['c', 'b']);
  });

  it('names today and yesterday', () => {
    const now = new Date(2027, 2, 10, 12).getTime();
    const t = { today: '今天', yesterday: '昨天' };
    expect(dayLabel(dayOf(now), now, 'zh', t)).toBe('今天');
    expect(dayLabel('2027-03-09', now, 'zh', t)).toBe('昨天');
    expect(dayLabel('2027-03-01', now, 'zh', t)).toBe('2027年3月1日');
    expect(dayLabel('2027-03-01', now, 'en', t)).toBe('1 Mar 2027');
  });
});
