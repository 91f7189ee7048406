import { afterEach, describe, expect, it } from 'vitest';
import { controlOf, markThreadCounts, selectionAt, threadPlace } from './together';
import { translate } from './i18n';
import type { CollabView } from './generated/CollabView';
import type { KindInfo } from './generated/KindInfo';

afterEach(() => {
  document.body.innerHTML = '';
});

/** A form as the editor renders one: a text field, and a list whose saved row has an id and whose new row has none. */
function form() {
  document.body.innerHTML = `
    <form class="editor">
      <label class="field"><span class="label">教学方法</span><textarea data-field="methods"></textarea></label>
      <div class="field list-field" data-list="process">
        <div class="row" data-row="r1"><label class="field"><span class="label">教学内容</span><textarea data-field="content"></textarea></label></div>
        <div class="row" data-row=""><label class="field"><span class="label">教学内容</span><textarea data-field="content"></textarea></label></div>
      </div>
    </form>`;
}

const select = (el: HTMLTextAreaElement, text: string, part: string) => {
  el.value = text;
  const i = text.indexOf(part);
  el.setSelectionRange(i, i + part.length);
  const e = new MouseEvent('mouseup', { bubbles: true, clientX: 100, clientY: 50 });
  Object.defineProperty(e, 'target', { value: el });
  return selectionAt(e);
};

describe('a selection in the form', () => {
  it('is a target in code points with its quote', () => {
    form();
    const el = controlOf('methods', '', '') as HTMLTextAreaElement;
    const s = select(el, '👶以一例中度脱水患儿导入', '中度脱水');
    expect(s?.draft).toEqual({ target: { field: 'methods', row: '', item: '', range: [4, 8] }, quote: '中度脱水' });
  });

  it('names a list row by its id and the row field', () => {
    form();
    const el = controlOf('process', 'r1', 'content') as HTMLTextAreaElement;
    expect(select(el, '病例导入', '导入')?.draft.target).toEqual({ field: 'process', row: 'r1', item: 'content', range: [2, 4] });
  });

  it('leaves a new row without an id, and an empty selection, alone', () => {
    form();
    const fresh = document.querySelectorAll<HTMLTextAreaElement>('[data-row=""] textarea')[0];
    expect(select(fresh, '病例导入', '导入')).toBeUndefined();
    const el = controlOf('methods', '', '') as HTMLTextAreaElement;
    el.value = 'abc';
    el.setSelectionRange(1, 1);
    const e = new MouseEvent('mouseup', { bubbles: true });
    Object.defineProperty(e, 'target', { value: el });
    expect(selectionAt(e)).toBeNull();
  });
});

describe('thread counts on labels', () => {
  it('counts open threads per field and clears them', () => {
    form();
    const th = (field: string, row: string, item: string, state: string) => ({ field, row, item, state }) as unknown;
    const collab = { threads: [th('methods', '', '', 'open'), th('methods', '', '', 'open'), th('methods', '', '', 'resolved'), th('process', 'r1', 'content', 'open')] } as CollabView;
    markThreadCounts(collab);
    const labels = [...document.querySelectorAll('.label')];
    expect(labels.map((l) => l.getAttribute('data-threads'))).toEqual(['2', '1', null]);
    markThreadCounts(null);
    expect(document.querySelectorAll('[data-threads]')).toHaveLength(0);
  });
});

describe('where a thread is', () => {
  it('names the field, the row by its number and the row field, in the UI language', () => {
    const label = (zh: string, en: string) => ({ zh, en });
    const kind = {
      sections: [
        {
          key: 's',
          label: label('教学过程', 'Process'),
          fields: [
            { key: 'methods', label: label('教学方法', 'Teaching methods'), input: { type: 'text', max: 100, multiline: true } },
            { key: 'process', label: label('教学过程', 'Teaching process'), input: { type: 'list', max_items: 10, item: [{ key: 'content', label: label('教学内容', 'Content'), input: { type: 'text', max: 100, multiline: true } }] } },
          ],
        },
      ],
    } as unknown as KindInfo;
    const values = { process: [{ id: 'r0' }, { id: 'r1' }] };
    const t = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate('zh', k, p);
    expect(threadPlace(kind, values, 'methods', '', '', t, 'zh')).toBe('教学方法');
    expect(threadPlace(kind, values, 'section:s', '', '', t, 'zh')).toBe('教学过程');
    expect(threadPlace(kind, values, 'process', 'r1', 'content', t, 'zh')).toBe('教学过程 · 第 2 行 · 教学内容');
    expect(threadPlace(kind, values, 'title', '', '', (k) => translate('en', k), 'en')).toBe('Title');
  });
});
