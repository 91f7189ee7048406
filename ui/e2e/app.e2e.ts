// End-to-end: the real app (a debug build of src-tauri) driven through
// tauri-driver and WebKitWebDriver under Xvfb, on a library in a temporary
// directory, with a real office server and a colleague's CLI for sync.
// Run by `make e2e` (part of `make test`). Saves screenshots to
// target/e2e-screenshots/.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';
import type { Session } from './webdriver';

const h = new Harness();
const tmp = h.tmp;
const { rounds } = bins;
let s: Session;

const shot = (name: string) => h.shot(name);
const value = (css: string) => h.value(css);
const retype = (css: string, text: string) => h.retype(css, text);
const waitSaved = () => h.waitSaved();

async function startApp() {
  await h.startApp();
  s = h.s;
}

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

describe('Rounds desktop', () => {
  it('creates a lesson plan and fills its fields; autosave says saved', async () => {
    await startApp();
    // A new library first asks who the teacher is.
    await h.giveName('王老师');
    await s.waitFor('.empty');
    await shot('01-empty-zh');
    await s.click(await s.find('.topbar button.primary'));
    await retype('.title-input', '热性惊厥的识别与处理');
    await retype('[data-field=course]', '儿科学');
    await s.click(await s.waitFor('select[data-field=session_type] option[value=cbl]'));
    await s.click(await s.waitFor('.list-process .add-row'));
    await retype('.list-process .row input[data-field=stage]', '病例导入');
    await retype('.list-process .row input[data-field=minutes]', '10');
    await waitSaved();
    await shot('02-editor-zh');
    await s.end();
  });

  it('after closing and reopening the app, it is all there', async () => {
    await startApp();
    const row = await s.waitFor('.doclist .doc');
    expect(await s.text(row)).toContain('热性惊厥的识别与处理');
    await s.click(row);
    await s.waitFor('.title-input');
    await s.until(`return document.querySelector('[data-field=course]')?.value === '儿科学'`);
    expect(await value('select[data-field=session_type]')).toBe('cbl');
    expect(await value('.list-process .row input[data-field=stage]')).toBe('病例导入');
    expect(await value('.list-process .row input[data-field=minutes]')).toBe('10');
  });

  it('prints the lesson plan in the 教案 table layout', async () => {
    const printBtn = await s.waitFor('.editor-bar button:nth-of-type(3)');
    await s.exec(`[...document.querySelectorAll('.editor-bar button')].find(b => b.textContent === '打印').click()`);
    void printBtn;
    await s.waitFor('.sheet table.form');
    expect(await s.text(await s.find('.sheet-title'))).toContain('教');
    expect(await s.text(await s.find('.sheet table.list-row.list-process'))).toContain('病例导入');
    await shot('03-print-zh');
    await s.exec(`document.querySelector('.print-tools button').click()`);
    await s.waitFor('.title-input');
  });

  it('finds the plan by a Chinese word, and with the samples', async () => {
    await s.exec(`document.querySelector('.brand').click()`);
    await s.waitFor('#search');
    await s.type(await s.find('#search'), '惊厥');
    await s.until(`return [...document.querySelectorAll('.snippet mark')].some(m => m.textContent.includes('惊厥'))`);
    await shot('04-search-zh');
  });

  it('switches language at any time', async () => {
    await s.click(await s.find('.lang select option[value=en]'));
    await s.until(`return document.querySelector('.topbar button.primary').textContent.includes('New lesson plan')`);
    // The page's language follows in an effect, just after the text.
    await s.until(`return document.documentElement.lang === 'en'`);
    await s.click(await s.find('.lang select option[value=zh]'));
    await s.until(`return document.querySelector('.topbar button.primary').textContent.includes('新建教案')`);
  });

  it('joins an office, shares, and shows a colleague’s change in the open editor', async () => {
    const run = (bin: string, args: string[]) => h.run(bin, args);
    const { url, codes } = await h.office(['王老师', '李老师']);
    const [code, code2] = codes;

    // Join through the dialog in the status bar.
    await s.exec(`[...document.querySelectorAll('.syncbar button')].pop().click()`);
    await retype('.dialog input[name=url]', url);
    await retype('.dialog input[name=code]', code);
    await s.exec(`document.querySelector('.dialog button[type=submit]').click()`);
    try {
      await s.until(`return !document.querySelector('.dialog') && document.querySelector('.syncbar').textContent.includes('儿科虚拟教研室')`, [], 20_000);
    } catch (e) {
      await shot('join-failed');
      const said = await s.exec<string>(`return (document.querySelector('.dialog') ?? document.querySelector('.syncbar'))?.textContent ?? ''`);
      throw new Error(`joining did not finish; the screen says: ${said}`, { cause: e });
    }

    // Share the plan, which sends it to the office.
    await s.click(await s.waitFor('.doclist .doc'));
    await s.waitFor('.title-input');
    await s.exec(`[...document.querySelectorAll('.editor-bar button')].find(b => b.textContent === '共享到教研室').click()`);
    await s.exec(`document.querySelector('.dialog .primary').click()`);
    await s.waitFor('.editor-bar .chip.ok');
    const id = await s.exec<string>(`return null`);
    void id;
    await s.exec(`[...document.querySelectorAll('.syncbar button')].pop().click()`);
    await s.until(`return document.querySelector('.syncbar.tone-ok') !== null`, [], 20_000);

    // The colleague joins, gets the plan, edits it and syncs.
    const cdata = join(tmp, 'colleague');
    run(rounds, ['--data', cdata, 'profile', '--name', '李老师']);
    run(rounds, ['--data', cdata, 'join', url, code2]);
    run(rounds, ['--data', cdata, 'sync']);
    const list = JSON.parse(run(rounds, ['--data', cdata, 'list', '--json'])) as { id: string; title: string }[];
    const plan = list.find((d) => d.title === '热性惊厥的识别与处理');
    expect(plan).toBeTruthy();
    run(rounds, ['--data', cdata, 'edit', plan!.id, '--set', 'chapter=第十章 神经系统疾病']);
    run(rounds, ['--data', cdata, 'sync']);

    // "Sync now" in the app brings it into the open editor.
    await s.exec(`[...document.querySelectorAll('.syncbar button')].pop().click()`);
    await s.until(`return document.querySelector('[data-field=chapter]')?.value === '第十章 神经系统疾病'`, [], 20_000);
    await shot('05-synced-editor-zh');

    // Both write in the same field: the colleague's text, written while the
    // teacher's editor shows the field focused, appears in place; the
    // caret stays after the teacher's words and the teacher types on.
    await retype('[data-field=methods]', '讲授与讨论');
    await waitSaved();
    await s.exec(`window.__TAURI_INTERNALS__.invoke('sync_now')`);
    await s.until(`return document.querySelector('.syncbar.tone-ok') !== null`, [], 20_000);
    run(rounds, ['--data', cdata, 'sync']);
    const seen = JSON.parse(run(rounds, ['--data', cdata, 'show', plan!.id, '--json'])) as { methods: string };
    expect(seen.methods).toBe('讲授与讨论');
    run(rounds, ['--data', cdata, 'edit', plan!.id, '--set', 'methods=课前预习。讲授与讨论']);
    run(rounds, ['--data', cdata, 'sync']);
    // Sync is asked for without a click, so the focus stays in the field.
    await s.exec(`const e = document.querySelector('[data-field=methods]'); e.focus(); e.setSelectionRange(e.value.length, e.value.length); window.__TAURI_INTERNALS__.invoke('sync_now');`);
    await s.until(
      `const e = document.querySelector('[data-field=methods]'); return e.value === '课前预习。讲授与讨论' && document.activeElement === e && e.selectionStart === e.value.length`,
      [],
      20_000,
    );
    await s.type(await s.find('[data-field=methods]'), '，再总结');
    await waitSaved();
    expect(await value('[data-field=methods]')).toBe('课前预习。讲授与讨论，再总结');
    await shot('05b-merged-in-place-zh');
  });

  it('marks identifiers in a case as they are typed, and shares it only masked and attested', async () => {
    await s.exec(`document.querySelector('.brand').click()`);
    await s.exec(`[...document.querySelectorAll('.topbar button')].find(b => b.textContent.includes('新建病例')).click()`);
    await retype('.title-input', '发热3天伴皮疹');
    const residentId = '110105201803071237';
    const phone = '13912345678';
    await retype('textarea[data-field=present_illness]', `患儿身份证${residentId}，家长电话${phone}，发热3天。`);
    // The findings appear under the field once autosave has run, with no
    // button pressed.
    await s.until(`return document.querySelectorAll('.editor .findings li.blocking').length === 2`, [], 15_000);
    expect(await s.text(await s.find('.findings-banner'))).toContain('2');
    expect(await s.text(await s.find('.editor .findings li .finding-kind'))).toBe('身份证号');
    await shot('06-case-findings-zh');

    // Sharing is refused while they are there and until attested.
    await s.exec(`[...document.querySelectorAll('.editor-bar button')].find(b => b.textContent === '共享到教研室').click()`);
    await s.waitFor('.share-dialog');
    expect(await s.exec<boolean>(`return document.querySelector('.share-dialog .primary').disabled`)).toBe(true);
    await shot('07-share-refused-zh');
    // One action masks one finding; "mask all" the rest.
    await s.exec(`document.querySelector('.share-dialog .findings li button').click()`);
    await s.until(`return document.querySelectorAll('.share-dialog .findings li').length === 1`, [], 10_000);
    expect(await value('textarea[data-field=present_illness]')).not.toContain(residentId);
    await s.exec(`document.querySelector('.share-dialog .mask-all').click()`);
    await s.waitFor('.share-dialog p.ok');
    expect(await s.exec<boolean>(`return document.querySelector('.share-dialog .primary').disabled`)).toBe(true);
    await s.exec(`document.querySelector('.share-dialog .attest input').click()`);
    await s.until(`return !document.querySelector('.share-dialog .primary').disabled`);
    await s.exec(`document.querySelector('.share-dialog .primary').click()`);
    // The teacher is now in the shared copy, which records the attestation.
    await s.waitFor('.banner.attested');
    expect(await value('textarea[data-field=present_illness]')).toContain('[电话]');
    await shot('08-case-shared-zh');

    // What a colleague receives carries neither number.
    await s.exec(`[...document.querySelectorAll('.syncbar button')].pop().click()`);
    await s.until(`return document.querySelector('.syncbar.tone-ok') !== null`, [], 20_000);
    const cdata = join(tmp, 'colleague');
    const run = (args: string[]) => h.run(rounds, ['--data', cdata, ...args]);
    run(['sync']);
    const list = JSON.parse(run(['list', '--json'])) as { id: string; title: string }[];
    const shared = list.find((d) => d.title === '发热3天伴皮疹');
    expect(shared).toBeTruthy();
    const copy = run(['show', shared!.id, '--json']);
    expect(copy).toContain('[电话]');
    expect(copy).not.toContain(residentId);
    expect(copy).not.toContain(phone);
  });
});
