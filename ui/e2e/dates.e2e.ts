// End-to-end: a date typed in the Chinese UI is stored, shown and printed
// as typed; a date the store refuses is marked and not saved; English shows
// and reads dates in the locale's order.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness';

const h = new Harness();

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

const dateError = () => h.s.exec<string | null>(`return document.querySelector('[data-field=date]').closest('.field').querySelector('.field-error')?.textContent ?? null`);

describe('dates', () => {
  it('takes a date typed YYYY-MM-DD in Chinese and keeps it through reopening and print', async () => {
    await h.startApp();
    await h.giveName('孙老师');
    await h.s.click(await h.s.find('.topbar button.primary'));
    await h.retype('.title-input', '新生儿黄疸的鉴别');
    await h.retype('[data-field=date]', '2026-03-15');
    await h.waitSaved();
    expect(await dateError()).toBeNull();
    // Other ways of writing it are read as the same date, and shown as YYYY-MM-DD once left.
    await h.retype('[data-field=date]', '2026年4月2日');
    await h.waitSaved();
    await h.s.exec(`document.querySelector('[data-field=date]').blur()`);
    await h.s.until(`return document.querySelector('[data-field=date]').value === '2026-04-02'`);
    await h.retype('[data-field=date]', '2026-03-15');
    await h.waitSaved();

    // A year outside 1900–2100 is marked and not sent.
    await h.retype('[data-field=date]', '0015-12-03');
    await h.s.until(`return document.querySelector('[data-field=date]').getAttribute('aria-invalid') === 'true'`);
    expect(await dateError()).toContain('1900');
    expect(await h.s.exec<boolean>(`return document.querySelector('.save-state.saved') !== null`)).toBe(true);
    await h.shot('dates-01-refused-zh');

    await h.s.exec(`document.querySelector('.brand').click()`);
    await h.s.click(await h.s.waitFor('.doclist .doc'));
    await h.s.until(`return document.querySelector('[data-field=date]')?.value === '2026-03-15'`);
    await h.shot('dates-02-editor-zh');

    await h.clickButton('.editor-bar', '打印');
    await h.s.waitFor('.sheet table.form');
    expect(await h.s.text(await h.s.find('.sheet table.form'))).toContain('2026年3月15日');
    await h.shot('dates-03-print-zh');
    await h.s.exec(`document.querySelector('.print-tools button').click()`);
    await h.s.waitFor('.title-input');
  });

  it('shows and reads dates in the English locale’s order', async () => {
    await h.s.click(await h.s.find('.lang select option[value=en]'));
    await h.s.until(`return /Mar/.test(document.querySelector('[data-field=date]').value)`);
    const shown = await h.value('[data-field=date]');
    expect(shown).toMatch(/15/);
    expect(shown).toMatch(/2026/);
    await h.retype('[data-field=date]', 'April 20, 2026');
    await h.waitSaved();
    await h.s.exec(`document.querySelector('[data-field=date]').blur()`);
    await h.s.until(`return /Apr/.test(document.querySelector('[data-field=date]').value)`);
    await h.shot('dates-04-editor-en');
    // The Chinese UI shows the same stored date.
    await h.s.click(await h.s.find('.lang select option[value=zh]'));
    await h.s.until(`return document.querySelector('[data-field=date]').value === '2026-04-20'`);
  });
});
