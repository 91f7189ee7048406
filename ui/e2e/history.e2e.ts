// End-to-end: undo and redo of the teacher's own typing and row actions,
// a removed row brought back from the toast, and an earlier version shown
// read-only under a banner that stays in view, with what changed since,
// restored as a new change.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness';
import { sleep } from './webdriver';

const h = new Harness();
const CTRL = '\uE009';
const SHIFT = '\uE008';

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

/** Presses Ctrl+key (with Shift) in the focused element, as a teacher would. */
async function chord(key: string, shift = false) {
  await h.s.actions([
    { type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: CTRL }, ...(shift ? [{ type: 'keyDown', value: SHIFT }] : []), { type: 'keyDown', value: key }, { type: 'keyUp', value: key }, ...(shift ? [{ type: 'keyUp', value: SHIFT }] : []), { type: 'keyUp', value: CTRL }] },
  ]);
}

const rows = () => h.s.exec<string[]>(`return [...document.querySelectorAll('.list-process .row input[data-field=stage]')].map(e => e.value)`);

describe('undo, redo and earlier versions', () => {
  it('undoes and redoes typing per field, and a removed row comes back from the toast', async () => {
    await h.startApp();
    await h.giveName('郑老师');
    await h.s.click(await h.s.find('.topbar button.primary'));
    await h.retype('.title-input', '小儿贫血的鉴别诊断');
    await h.retype('[data-field=course]', '儿科学');
    await h.waitSaved();
    await sleep(1_600);
    await h.s.type(await h.s.find('[data-field=course]'), '（血液）');
    await h.waitSaved();
    await chord('z');
    await h.s.until(`return document.querySelector('[data-field=course]').value === '儿科学'`);
    await h.waitSaved();
    await chord('z', true);
    await h.s.until(`return document.querySelector('[data-field=course]').value === '儿科学（血液）'`);
    await h.waitSaved();

    for (const stage of ['病例导入', '小组讨论', '总结']) {
      await h.s.exec(`document.querySelector('.list-process .add-row').click()`);
      await h.s.until(`return document.querySelectorAll('.list-process .row').length > 0 && [...document.querySelectorAll('.list-process .row input[data-field=stage]')].pop().value === ''`);
      await h.retype('.list-process .row:last-of-type input[data-field=stage]', stage);
      await h.waitSaved();
    }
    expect(await rows()).toEqual(['病例导入', '小组讨论', '总结']);
    // Removing a row asks nothing; the toast offers it back.
    await h.s.exec(`document.querySelectorAll('.list-process .row')[1].querySelector('.row-tools .danger').click()`);
    await h.s.waitFor('.toast .undo-remove');
    expect(await rows()).toEqual(['病例导入', '总结']);
    await h.shot('history-01-row-removed-zh');
    await h.waitSaved();
    await h.s.exec(`document.querySelector('.toast .undo-remove').click()`);
    await h.s.until(`return [...document.querySelectorAll('.list-process .row input[data-field=stage]')].map(e => e.value).join() === '病例导入,小组讨论,总结'`);
    await h.waitSaved();
    // It stays back after reopening: it was saved.
    await h.s.exec(`document.querySelector('.brand').click()`);
    await h.s.click(await h.s.waitFor('.doclist .doc'));
    await h.s.until(`return [...document.querySelectorAll('.list-process .row input[data-field=stage]')].map(e => e.value).join() === '病例导入,小组讨论,总结'`);
  });

  it('shows an earlier version read-only with a banner that stays in view, and restores it as a new change', async () => {
    await h.retype('[data-field=course]', '儿科学（修订）');
    await h.waitSaved();
    await h.clickButton('.editor-bar', '修改记录');
    await h.s.waitFor('.history li');
    // The version right after the course was first typed.
    const target = await h.s.exec<number>(`
      const items = [...document.querySelectorAll('.history li')];
      const i = items.findIndex(li => li.querySelector('.history-fields').textContent.includes('课程'));
      return i;`);
    const n = await h.s.exec<number>(`return document.querySelectorAll('.history li').length`);
    // The list is newest first; pick the oldest change of the course.
    const oldest = await h.s.exec<number>(`
      const items = [...document.querySelectorAll('.history li')];
      let last = -1; items.forEach((li, i) => { if (li.querySelector('.history-fields').textContent.includes('课程')) last = i; });
      return last;`);
    expect(target).toBeGreaterThanOrEqual(0);
    expect(n).toBeGreaterThan(3);
    await h.s.exec(`document.querySelectorAll('.history li')[${oldest}].querySelector('button').click()`);
    await h.s.waitFor('.version-banner');
    expect(await h.value('[data-field=course]')).toBe('儿科学');
    expect(await h.value('.title-input')).toBe('小儿贫血的鉴别诊断');
    expect(await h.s.exec<boolean>(`return document.querySelector('[data-field=course]').readOnly`)).toBe(true);
    // What changed since: the course, with the insertion marked.
    expect(await h.s.text(await h.s.find('.version-change[data-key=course] ins'))).toContain('（修订）');
    await h.shot('history-02-version-zh');
    // Scrolled to the bottom, the banner is still on screen.
    await h.s.exec(`document.querySelector('main').scrollTop = 1e6`);
    await sleep(200);
    const top = await h.s.exec<number>(`return document.querySelector('.version-banner').getBoundingClientRect().top`);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(200);
    await h.shot('history-03-version-scrolled-zh');

    await h.s.exec(`document.querySelector('.version-banner .restore-version').click()`);
    await h.s.until(`return !document.querySelector('.version-banner') && document.querySelector('[data-field=course]').value === '儿科学'`);
    expect(await h.s.exec<boolean>(`return document.querySelector('[data-field=course]').readOnly`)).toBe(false);
    // Restoring added a change; the version in between is still there.
    await h.clickButton('.editor-bar', '修改记录');
    await h.s.waitFor('.history li');
    expect(await h.s.exec<number>(`return document.querySelectorAll('.history li').length`)).toBe(n + 1);
    await h.s.exec(`document.querySelector('.dialog > button').click()`);

    await h.s.click(await h.s.find('.lang select option[value=en]'));
    await h.clickButton('.editor-bar', 'History');
    await h.s.waitFor('.history li');
    await h.s.exec(`document.querySelectorAll('.history li')[1].querySelector('button').click()`);
    await h.s.waitFor('.version-banner');
    await h.shot('history-04-version-en');
    await h.s.exec(`document.querySelector('.version-banner .back-to-current').click()`);
    await h.s.click(await h.s.find('.lang select option[value=zh]'));
  });
});
