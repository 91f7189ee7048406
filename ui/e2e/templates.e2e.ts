// End-to-end: starting from a template (a sample), duplicating a plan,
// exporting it as Markdown, the process minutes against the class hours,
// labels shown once, and the search's hit count and sort.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness';

const h = new Harness();

beforeAll(() => h.startDriver('zh'), 30_000);
afterAll(() => h.stop());

describe('templates, duplicates and exports', () => {
  it('starts a lesson plan from a sample template, as the teacher’s own draft', async () => {
    await h.startApp();
    await h.giveName('冯老师');
    await h.s.exec(`document.querySelector('.topbar .from-template').click()`);
    await h.s.waitFor('.template-dialog .use-template');
    await h.shot('templates-01-dialog-zh');
    const title = await h.s.exec<string>(`return document.querySelector('.template-dialog .use-template[data-source^="sample:lesson-febrile"]').closest('li').querySelector('span').textContent`);
    await h.s.exec(`document.querySelector('.template-dialog .use-template[data-source^="sample:lesson-febrile"]').click()`);
    await h.s.waitFor('.title-input');
    await h.s.until(`return document.querySelector('.title-input').value === ${JSON.stringify(title)}`);
    // The content came along; the workflow did not.
    expect((await h.value('textarea[data-field=learner_analysis]'))?.length).toBeGreaterThan(100);
    expect(await h.value('select[data-field=status]')).toBe('');
    expect(await h.s.exec<number>(`return document.querySelectorAll('.list-process .row').length`)).toBeGreaterThan(3);
    // 学情分析 is the section's name; its one field does not repeat it.
    expect(await h.s.exec<boolean>(`return document.querySelector('textarea[data-field=learner_analysis]').closest('.field').querySelector('.label').classList.contains('sr-only')`)).toBe(true);
    // The minutes total is shown against the class hours.
    await h.s.waitFor('.minutes-total');
    await h.shot('templates-02-from-sample-zh');
  });

  it('warns when the process minutes and the class hours differ', async () => {
    await h.retype('[data-field=class_hours]', '1');
    await h.waitSaved();
    await h.s.until(`return document.querySelector('.minutes-total.warn')?.textContent.includes('45')`);
    await h.s.exec(`document.querySelector('.minutes-total').scrollIntoView({ block: 'center' })`);
    await h.shot('templates-03-minutes-warn-zh');
  });

  it('duplicates the plan and exports it as Markdown named by title and date', async () => {
    const title = await h.value('.title-input');
    await h.clickButton('.editor-bar', '复制为新文档');
    await h.s.until(`return document.querySelector('.title-input')?.value === ${JSON.stringify(`${title}（副本）`)}`);
    await h.waitSaved();
    await h.clickButton('.editor-bar', '导出');
    await h.clickButton('.export-menu .menu-list', 'Markdown');
    await h.s.until(`return document.querySelector('.toast')?.textContent.includes('.md')`);
    const said = await h.s.text(await h.s.find('.toast'));
    const path = said.slice(said.indexOf('/')).trim();
    expect(path.startsWith(join(h.documents, 'Rounds'))).toBe(true);
    const date = await h.value('[data-field=date]');
    expect(basename(path)).toBe(`${title}（副本） ${date}.md`);
    expect(readFileSync(path, 'utf8')).toContain('学情分析');
  });

  it('counts search hits and sorts them', async () => {
    await h.s.exec(`document.querySelector('.brand').click()`);
    await h.s.type(await h.s.waitFor('#search'), '惊厥');
    await h.s.waitFor('.hit-count');
    expect(await h.s.text(await h.s.find('.hit-count'))).toBe('找到 2 份');
    await h.s.click(await h.s.find('.result-bar select.sort option[value=title]'));
    await h.shot('templates-04-search-sorted-zh');
  });
});
