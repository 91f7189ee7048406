// End-to-end: a teacher links a row of a lesson plan's teaching process to a
// case by searching for it, sees the case's title, follows the link, finds
// the plan under "linked from" in the case, goes back, and prints the plan
// with the case's title in the process table. A row that refers to a
// document this device does not hold says only "not available to you". In
// Chinese and in English.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';

const T = {
  zh: { choose: '关联文档', unavailable: '你无权查看', linkedFrom: '被以下文档引用', print: '打印' },
  en: { choose: 'Link a document', unavailable: 'Not available to you', linkedFrom: 'Linked from', print: 'Print' },
};

for (const lang of ['zh', 'en'] as const) {
  describe(`references between documents (${lang})`, () => {
    const h = new Harness();
    const PLAN = '小儿腹泻的补液治疗';
    const CASE = '婴儿腹泻伴中度脱水';
    beforeAll(async () => {
      const me = (args: string[]) => h.run(bins.rounds, ['--data', h.data, ...args]);
      me(['profile', '--name', '冯老师']);
      const write = (name: string, doc: object) => {
        const f = join(h.tmp, name);
        writeFileSync(f, JSON.stringify(doc));
        me(['import', f]);
      };
      write('case.json', { kind: 'case', title: CASE, language: 'zh', chief_complaint: '腹泻3天，尿少半天' });
      write('other.json', { kind: 'case', title: '新生儿腹泻', language: 'zh' });
      // The second row refers to a document this device never had.
      write('plan.json', {
        kind: 'lesson_plan',
        title: PLAN,
        language: 'zh',
        process: [
          { stage: '病例导入', minutes: 10 },
          { stage: '对比讨论', minutes: 15, ref: '0193a5b0-0000-7000-8000-00000000beef' },
        ],
      });
      await h.startDriver(lang);
    }, 30_000);
    afterAll(() => h.stop());

    it('picks a target by search, shows and follows it, and links back', async () => {
      const t = T[lang];
      await h.startApp();
      await h.s.waitFor('.doclist .doc');
      await h.s.exec(`[...document.querySelectorAll('.doclist .doc')].find(b => b.textContent.includes(${JSON.stringify(PLAN)})).click()`);
      await h.s.waitFor('.list-process .ref');
      // The row that refers to an absent document says only that.
      await h.s.until(`return document.querySelectorAll('.list-process .ref')[1]?.textContent.includes(${JSON.stringify(t.unavailable)})`);
      expect(await h.s.exec<string>(`return document.querySelectorAll('.list-process .ref')[1].textContent`)).not.toContain('beef');

      // Pick the case for the first row by searching.
      await h.s.exec(`document.querySelectorAll('.list-process .ref')[0].querySelector('.ref-choose').click()`);
      await h.s.waitFor('.ref-picker .ref-search');
      await h.retype('.ref-picker .ref-search', '中度脱水');
      await h.s.until(`return [...document.querySelectorAll('.ref-picker .ref-option')].length === 1`);
      await h.shot(`links-01-picker-${lang}`);
      await h.s.exec(`document.querySelector('.ref-picker .ref-option').click()`);
      await h.s.until(`return document.querySelectorAll('.list-process .ref')[0].querySelector('.ref-target')?.textContent.includes(${JSON.stringify(CASE)})`);
      await h.waitSaved();
      await h.shot(`links-02-linked-${lang}`);

      // Follow it: the case opens and lists the plan as linking to it.
      await h.s.exec(`document.querySelectorAll('.list-process .ref')[0].querySelector('.ref-target').click()`);
      await h.s.until(`return document.querySelector('.title-input')?.value === ${JSON.stringify(CASE)}`);
      await h.s.waitFor('.linked-from .backlink');
      expect(await h.s.exec<string>(`return document.querySelector('.linked-from').textContent`)).toContain(t.linkedFrom);
      expect(await h.s.exec<string>(`return document.querySelector('.linked-from .backlink').textContent`)).toContain(PLAN);
      await h.s.exec(`document.querySelector('.linked-from').scrollIntoView()`);
      await h.shot(`links-03-linked-from-${lang}`);

      // Back through the backlink, and print: the table shows the title.
      await h.s.exec(`document.querySelector('.linked-from .backlink').click()`);
      await h.s.until(`return document.querySelector('.title-input')?.value === ${JSON.stringify(PLAN)}`);
      await h.clickButton('.editor-bar', t.print);
      await h.s.waitFor('.sheet table.list-row.list-process');
      const rows = await h.s.exec<string[]>(`return [...document.querySelectorAll('.sheet table.list-row.list-process')].map(r => r.textContent)`);
      expect(rows[0]).toContain(CASE);
      expect(rows[1]).toContain(t.unavailable);
      await h.shot(`links-04-print-${lang}`);
    });
  });
}
