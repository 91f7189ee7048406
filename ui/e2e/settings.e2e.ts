// End-to-end: a teacher's first start (the name is asked for before
// anything else) and the settings view (name, data folder, office,
// language), in both languages.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness';

const h = new Harness();

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

describe('the teacher’s name and settings', () => {
  it('opens a window that fits the screen, with the status bar in view', async () => {
    await h.startApp();
    const g = await h.s.exec<{ sw: number; sh: number; ow: number; oh: number; ih: number; bar: number }>(
      `return { sw: screen.availWidth, sh: screen.availHeight, ow: window.outerWidth, oh: window.outerHeight, ih: window.innerHeight, bar: document.querySelector('.syncbar').getBoundingClientRect().bottom }`,
    );
    // make e2e runs Xvfb at 1366×768, the screen of many older PCs.
    expect(g.ow).toBeLessThanOrEqual(g.sw);
    expect(g.oh).toBeLessThanOrEqual(g.sh);
    expect(g.bar).toBeLessThanOrEqual(g.ih);
    expect(g.bar).toBeGreaterThan(g.ih - 60);
  });

  it('asks for the name at first start and writes it on the teacher’s documents', async () => {
    await h.s.waitFor('.first-start');
    // An empty name is refused with a message, and the question stays.
    await h.s.exec(`document.querySelector('.first-start button[type=submit]').click()`);
    await h.s.waitFor('.first-start .field-error');
    expect(await h.s.text(await h.s.find('.first-start .field-error'))).toBe('请输入您的姓名。');
    await h.shot('settings-01-first-start-zh');
    await h.giveName('  赵老师 ');
    expect(await h.s.text(await h.s.find('.settings-btn'))).toContain('赵老师');
    await h.s.click(await h.s.find('.topbar button.primary'));
    await h.s.waitFor('.title-input');
    await h.retype('.title-input', '小儿腹泻的补液');
    await h.waitSaved();
    await h.s.exec(`document.querySelector('.brand').click()`);
    await h.s.until(`return [...document.querySelectorAll('.doclist .doc')].some(d => d.textContent.includes('小儿腹泻的补液') && d.textContent.includes('赵老师'))`);
  });

  it('shows the name, data folder, office and language in settings, and changes the name', async () => {
    await h.s.click(await h.s.find('.settings-btn'));
    await h.s.waitFor('.settings');
    expect(await h.value('.settings input[name=name]')).toBe('赵老师');
    expect(await h.s.text(await h.s.find('.settings .data-dir'))).toBe(h.data);
    expect(await h.s.text(await h.s.find('.settings .office'))).toContain('尚未加入');
    expect(await h.value('.settings-lang')).toBe('zh');
    await h.shot('settings-02-zh');

    await h.retype('.settings input[name=name]', '赵晓梅');
    await h.s.exec(`document.querySelector('.settings button[type=submit]').click()`);
    await h.s.waitFor('.settings .ok');
    expect(await h.s.text(await h.s.find('.settings-btn'))).toContain('赵晓梅');

    // The language switch in settings switches the whole app.
    await h.s.click(await h.s.find('.settings-lang option[value=en]'));
    await h.s.until(`return document.querySelector('#settings-title').textContent === 'Settings'`);
    expect(await h.s.text(await h.s.find('.settings .office'))).toContain('Not joined');
    await h.shot('settings-03-en');
  });

  it('keeps the name after a restart and does not ask again', async () => {
    await h.s.end();
    await h.startApp();
    await h.s.waitFor('.doclist .doc');
    expect(await h.s.exec<boolean>(`return document.querySelector('.first-start') === null`)).toBe(true);
    expect(await h.s.text(await h.s.find('.settings-btn'))).toContain('赵晓梅');
    // A change made under the new name carries it in the history.
    await h.s.click(await h.s.find('.doclist .doc'));
    await h.retype('[data-field=course]', '儿科学');
    await h.waitSaved();
    await h.clickButton('.editor-bar', 'History');
    await h.s.waitFor('.history li');
    const authors = await h.s.exec<string[]>(`return [...document.querySelectorAll('.history li strong')].map(e => e.textContent)`);
    expect(authors[0]).toBe('赵晓梅');
    expect(authors).toContain('赵老师');
  });
});
