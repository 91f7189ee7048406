// End-to-end: Word files. A folder of Word 教案 (the rounds-docx fixtures,
// written for Rounds in five layouts) is previewed — what goes into which
// field, what is kept in Notes — then imported; an imported plan is opened
// and exported back to Word, then as PDF (read back with pdftotext), from
// the editor's export menu into the documents folder. Screenshots of the
// preview and the menu in Chinese and English.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, root } from './harness';

const h = new Harness(4454);
beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

const fixtures = join(root, 'crates/rounds-docx/tests/fixtures');

describe('Word files', () => {
  it('previews and imports a folder of Word plans, and exports one back', async () => {
    await h.startApp();
    await h.giveName('钱老师');
    await h.s.click(await h.s.waitFor('.topbar .word-open'));
    await h.retype('.word-dialog textarea[name=paths]', fixtures);
    await h.s.exec(`document.querySelector('.word-dialog .word-preview').click()`);
    await h.s.until(`return document.querySelector('.word-dialog .word-summary')?.textContent.includes('可以导入')`, [], 20_000);
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.docx')).length;
    expect(await h.s.text(await h.s.find('.word-dialog .word-summary'))).toContain(`${files} 个文件中 ${files} 个可以导入`);
    // Nothing saved by a preview.
    expect(await h.s.exec<number>(`return document.querySelectorAll('.doclist .doc').length`)).toBe(0);
    await h.s.exec(`document.querySelector('.word-dialog details').open = true`);
    await h.shot('word-01-preview-zh');
    await h.s.exec(`const s = document.querySelector('.topbar .lang select'); s.value = 'en'; s.dispatchEvent(new Event('change'))`);
    await h.s.exec(`document.querySelector('.word-dialog .word-preview').click()`);
    await h.s.until(`return document.querySelector('.word-dialog .word-summary')?.textContent.includes('can be imported')`, [], 20_000);
    await h.s.exec(`document.querySelector('.word-dialog details').open = true`);
    await h.shot('word-02-preview-en');
    await h.s.exec(`const s = document.querySelector('.topbar .lang select'); s.value = 'zh'; s.dispatchEvent(new Event('change'))`);

    await h.s.exec(`document.querySelector('.word-dialog .word-import').click()`);
    await h.s.until(`return document.querySelector('.word-dialog .word-summary')?.textContent.includes('已导入 ${files} 个')`, [], 20_000);
    await h.clickButton('.word-dialog .actions', '关闭');
    await h.s.until(`return document.querySelectorAll('.doclist .doc').length === ${files}`, [], 15_000);
    await h.shot('word-03-library-zh');

    await h.s.click(await h.s.find('.doclist .doc'));
    await h.s.waitFor('.editor-bar .export-open');
    const title = await h.s.exec<string>(`return document.querySelector('.title-input').value`);
    // The export menu: Word, then PDF, each into the documents folder.
    await h.s.exec(`document.querySelector('.editor-bar .export-open').click()`);
    await h.s.waitFor('.export-menu .menu-list .export-docx');
    await h.shot('word-04-export-menu-zh');
    await h.s.exec(`document.querySelector('.export-menu .export-docx').click()`);
    await h.s.until(`return document.body.textContent.includes('已导出到') && document.body.textContent.includes('.docx')`, [], 15_000);
    const out = join(h.documents, 'Rounds');
    expect(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.docx'))).toBe(true);
    await h.shot('word-05-exported-zh');

    await h.s.exec(`document.querySelector('.editor-bar .export-open').click()`);
    await h.s.waitFor('.export-menu .menu-list .export-pdf');
    await h.s.exec(`document.querySelector('.export-menu .export-pdf').click()`);
    await h.s.until(`return document.body.textContent.includes('.pdf')`, [], 30_000);
    const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'));
    expect(pdf, 'a PDF in the documents folder').toBeTruthy();
    // Laid out by rounds-pdf: the form's heading, the plan's title and its version on the page.
    const text = execFileSync('pdftotext', [join(out, pdf!), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(title.replace(/\s+/g, ''));
    expect(text).toMatch(/第\d+版/);

    // The notice of the export, written in Chinese, is still up: switching
    // to English ends it rather than leave Chinese text in an English editor.
    expect(await h.s.exec<string>(`return document.querySelector('.toast')?.textContent ?? ''`)).toContain('已导出到');
    await h.s.exec(`const s = document.querySelector('.topbar .lang select'); s.value = 'en'; s.dispatchEvent(new Event('change'))`);
    await h.s.exec(`document.querySelector('.editor-bar .export-open').click()`);
    await h.s.waitFor('.export-menu .menu-list .export-pdf');
    expect(await h.s.exec<string>(`return document.querySelector('.toast')?.textContent ?? ''`)).toBe('');
    expect(await h.s.text(await h.s.find('.export-menu .export-md'))).toBe('Markdown');
    await h.shot('word-06-export-menu-en');
  });
});
