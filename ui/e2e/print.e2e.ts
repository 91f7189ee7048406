// End-to-end: printing a lesson plan whose teaching process runs over two
// pages, saved as a PDF named after the plan and its date. The PDF is read
// back with poppler (pdftotext per page, pdftoppm for the page images in
// target/e2e-screenshots/): no process row is split across pages, and the
// process table's header row is repeated on the next page.

import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins, shots } from './harness';

const h = new Harness();
const ROWS = 16;
const TITLE = '小儿肺炎的分级诊疗';

beforeAll(async () => {
  // The plan is written with the CLI before the app starts (the app reads
  // the library at start): a teaching process far longer than one page.
  const stage = (i: number) => ({
    stage: `环节${i}`,
    minutes: 5,
    teacher: `甲${i}始 引导学员根据呼吸频率、胸壁吸凹和血氧饱和度判断病情分级，逐条讨论转诊指征与院前处理，并请一名学员复述要点。结合本地基层医院的条件说明哪些检查可以省略，哪些必须完成。 甲${i}止`,
    learners: `乙${i}始 分组讨论并在白板上写出分级依据，每组派代表汇报，其余学员补充。 乙${i}止`,
    intent: '把分级标准落实到具体体征。',
    link: `第${i}幕`,
  });
  const plan = { kind: 'lesson_plan', title: TITLE, language: 'zh', date: '2026-03-15', course: '儿科学', process: Array.from({ length: ROWS }, (_, i) => stage(i + 1)) };
  const file = join(h.tmp, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  h.run(bins.rounds, ['--data', h.data, 'profile', '--name', '周老师']);
  h.run(bins.rounds, ['--data', h.data, 'import', file]);
  await h.startDriver('zh');
}, 30_000);
afterAll(() => h.stop());

describe('printing', () => {
  it('labels the way back for what it does, and saves a PDF named by title and date', async () => {
    await h.startApp();
    await h.s.click(await h.s.waitFor('.doclist .doc'));
    await h.s.waitFor('.title-input');
    await h.clickButton('.editor-bar', '打印');
    await h.s.waitFor('.sheet table.list-process');
    expect(await h.s.text(await h.s.find('.print-tools .back-to-editor'))).toBe('← 返回编辑');
    expect(await h.s.exec<string>('return document.title')).toBe(`${TITLE} 2026-03-15`);
    await h.shot('print-01-sheet-zh');

    await h.s.exec(`document.querySelector('.print-tools .save-pdf').click()`);
    await h.s.waitFor('.print-saved code', 60_000);
    const path = await h.s.text(await h.s.find('.print-saved code'));
    expect(basename(path)).toBe(`${TITLE} 2026-03-15.pdf`);
    expect(path.startsWith(join(h.documents, 'Rounds'))).toBe(true);
    expect(existsSync(path)).toBe(true);
    await h.shot('print-02-saved-zh');

    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    // NFKC: the PDF's font maps some ideographs to their Kangxi radical forms (⽌ for 止).
    const text = (p: number) => execFileSync('pdftotext', ['-f', String(p), '-l', String(p), path, '-'], { encoding: 'utf8' }).normalize('NFKC').replace(/\s+/g, '');
    const pageText = Array.from({ length: pages }, (_, i) => text(i + 1));
    const header = (await h.s.exec<string>(`return document.querySelector('.sheet table.list-head.list-process th.col-teacher').textContent`)).normalize('NFKC').replace(/\s+/g, '');
    // Every row whole on one page: its first and last words on the same page.
    for (let i = 1; i <= ROWS; i++) {
      for (const who of ['甲', '乙']) {
        const start = pageText.findIndex((t) => t.includes(`${who}${i}始`));
        const end = pageText.findIndex((t) => t.includes(`${who}${i}止`));
        expect(start, `${who}${i}`).toBeGreaterThanOrEqual(0);
        expect(end, `${who}${i} split across pages`).toBe(start);
      }
    }
    // Each page that holds process rows starts them under the header row.
    for (const [n, t] of pageText.entries()) {
      if (t.includes('甲') && t.includes('止')) expect(t, `page ${n + 1}`).toContain(header);
    }
    execFileSync('pdftoppm', ['-r', '60', '-png', path, join(shots, 'print-pdf-page')]);

    // Back to editing.
    await h.s.exec(`document.querySelector('.print-tools .back-to-editor').click()`);
    await h.s.waitFor('.title-input');
  });
});
