// End-to-end: writing a long lesson plan as a teacher does — long text
// fields grow with their text, and typing that never pauses is saved
// every few seconds anyway.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';
import { sleep } from './webdriver';

const h = new Harness();

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

/** The plan's stored fields, read by the CLI from the same library while the app runs. */
function stored(title: string): Record<string, unknown> {
  const list = JSON.parse(h.run(bins.rounds, ['--data', h.data, 'list', '--json'])) as { id: string; title: string }[];
  const doc = list.find((d) => d.title === title);
  if (!doc) throw new Error(`no document titled ${title}`);
  return JSON.parse(h.run(bins.rounds, ['--data', h.data, 'show', doc.id, '--json'])) as Record<string, unknown>;
}

const textareaBox = (css: string) =>
  h.s.exec<{ height: number; client: number; scroll: number; rowsHeight: number }>(
    `const e = document.querySelector(${JSON.stringify(css)});
     return { height: e.offsetHeight, client: e.clientHeight, scroll: e.scrollHeight, rowsHeight: parseFloat(getComputedStyle(e).lineHeight) * e.rows };`,
  );

describe('writing a long lesson plan', () => {
  it('grows a text area with a long 学情分析 so it needs no scrolling of its own', async () => {
    await h.startApp();
    await h.giveName('钱老师');
    await h.s.click(await h.s.find('.topbar button.primary'));
    await h.retype('.title-input', '小儿支气管哮喘的规范化管理');
    const para = '本班学生已完成呼吸系统解剖与生理的学习，对喘息的病理生理有初步认识，但缺乏儿童哮喘长期管理和吸入装置使用的实践经验。';
    const long = Array.from({ length: 9 }, (_, i) => `${i + 1}. ${para}`).join('\n');
    expect([...long].length).toBeGreaterThan(500);
    await h.retype('textarea[data-field=learner_analysis]', long);
    await h.waitSaved();
    const box = await textareaBox('textarea[data-field=learner_analysis]');
    expect(box.height).toBeGreaterThan(box.rowsHeight * 2);
    // No inner scrolling: the box is as tall as its text.
    expect(box.scroll).toBeLessThanOrEqual(box.client + 1);
    await h.shot('editing-01-long-text-zh');

    // Far more text (pasted, as one input event) stops at a comfortable height and scrolls inside.
    await h.s.exec(
      `const e = document.querySelector('textarea[data-field=learner_analysis]');
       Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(e, arguments[0]);
       e.dispatchEvent(new Event('input', { bubbles: true }));`,
      [`${long}\n${long}\n${long}`],
    );
    const tall = await textareaBox('textarea[data-field=learner_analysis]');
    const vh = await h.s.exec<number>('return window.innerHeight');
    expect(tall.height).toBeLessThanOrEqual(Math.round(vh * 0.6) + 1);
    expect(tall.scroll).toBeGreaterThan(tall.client);
    await h.waitSaved();
  }, 120_000);

  it('saves every few seconds while the teacher types without a pause', async () => {
    const css = 'textarea[data-field=board_plan]';
    const el = await h.s.waitFor(css);
    await h.s.exec(`document.querySelector(${JSON.stringify(css)}).focus()`);
    const typed: string[] = [];
    const start = Date.now();
    // One keystroke about every 150 ms for 8 s: never the quiet time a
    // debounced autosave waits for.
    for (let i = 0; Date.now() - start < 8_000; i++) {
      const ch = '板书设计要点'[i % 6];
      await h.s.type(el, ch);
      typed.push(ch);
      await sleep(120);
    }
    // Still typing (no pause yet): most of it is already on disk.
    const onDisk = String(stored('小儿支气管哮喘的规范化管理').board_plan ?? '');
    expect(onDisk.length).toBeGreaterThan(0);
    expect(typed.join('').startsWith(onDisk)).toBe(true);
    // At most about 3 s of typing is not saved yet.
    const perSecond = typed.length / 8;
    expect(typed.length - onDisk.length).toBeLessThanOrEqual(Math.ceil(perSecond * 4));
    await h.waitSaved();
    expect(stored('小儿支气管哮喘的规范化管理').board_plan).toBe(typed.join(''));
  });
});
