// End-to-end: sharing before this computer has joined an office says it
// will be shared on joining; a failed join says why in Chinese, with what
// to do next and no promise of syncing; joining then makes it shared.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness';

const h = new Harness();

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

const joinWith = async (url: string, code: string) => {
  await h.retype('.dialog input[name=url]', url);
  await h.retype('.dialog input[name=code]', code);
  await h.s.exec(`document.querySelector('.dialog button[type=submit]').click()`);
};

describe('sharing and joining an office', () => {
  it('says a plan shared before joining will be shared once this computer joins', async () => {
    await h.startApp();
    await h.giveName('吴老师');
    await h.s.click(await h.s.find('.topbar button.primary'));
    await h.retype('.title-input', '儿童腹泻的液体疗法');
    await h.waitSaved();
    await h.clickButton('.editor-bar', '共享到教研室');
    await h.s.waitFor('.dialog .not-joined-note');
    expect(await h.s.text(await h.s.find('.dialog .not-joined-note'))).toContain('加入教研室');
    await h.shot('office-01-share-not-joined-zh');
    await h.s.exec(`document.querySelector('.dialog .primary').click()`);
    await h.s.waitFor('.editor-bar .share-chip');
    expect(await h.s.text(await h.s.find('.editor-bar .share-chip'))).toBe('加入教研室后共享');
    await h.shot('office-02-shared-when-joined-zh');
  });

  it('explains a failed join in Chinese without promising any sync', async () => {
    await h.s.exec(`[...document.querySelectorAll('.syncbar button')].pop().click()`);
    // Nothing listens on port 9.
    await joinWith('http://127.0.0.1:9', 'ABCD-EFGH');
    await h.s.waitFor('.dialog .field-error', 20_000);
    const said = await h.s.text(await h.s.find('.dialog .field-error'));
    expect(said).toContain('无法连接');
    expect(said).not.toContain('同步');
    expect(said).not.toMatch(/[A-Za-z]{4,}/);
    await h.shot('office-03-join-failed-zh');

    // A real office that does not know the code.
    const office = await h.office(['吴老师']);
    await joinWith(office.url, 'WRONG-CODE');
    await h.s.until(`return document.querySelector('.dialog .field-error')?.textContent.includes('邀请码')`, [], 20_000);

    await joinWith(office.url, office.codes[0]);
    await h.s.until(`return !document.querySelector('.dialog') && document.querySelector('.syncbar').textContent.includes('儿科虚拟教研室')`, [], 20_000);
    await h.s.until(`return document.querySelector('.editor-bar .share-chip')?.textContent === '已共享'`);
    await h.shot('office-04-joined-zh');
  });
});
