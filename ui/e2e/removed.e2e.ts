// End-to-end: a colleague removed an objective this teacher was rewriting
// offline. When the teacher opens the plan, the editor says so, quoting
// the teacher's text, and "restore the row" brings it back — to the
// colleague too. In Chinese and in English.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';

for (const lang of ['zh', 'en'] as const) {
  describe(`a row removed over the teacher's edit (${lang})`, () => {
    const h = new Harness();
    beforeAll(() => h.startDriver(lang), 30_000);
    afterAll(() => h.stop());

    it('is noticed in the editor and restored for everyone', async () => {
      const me = (args: string[]) => h.run(bins.rounds, ['--data', h.data, ...args]);
      const cdata = join(h.tmp, 'colleague');
      const colleague = (args: string[]) => h.run(bins.rounds, ['--data', cdata, ...args]);
      const office = await h.office(['周老师', '郑老师']);

      // The plan, written here and shared; the colleague receives it.
      me(['profile', '--name', '周老师']);
      const plan = join(h.tmp, 'plan.json');
      writeFileSync(
        plan,
        JSON.stringify({
          kind: 'lesson_plan',
          title: '新生儿黄疸的诊断与处理',
          language: 'zh',
          objectives: [{ text: '区分生理性黄疸与病理性黄疸' }, { text: '说出光疗的指征' }, { text: '了解换血疗法' }],
        }),
      );
      me(['import', plan]);
      const id = (JSON.parse(me(['list', '--json'])) as { id: string }[])[0].id;
      me(['share', id]);
      me(['join', office.url, office.codes[0]]);
      me(['sync']);
      colleague(['profile', '--name', '郑老师']);
      colleague(['join', office.url, office.codes[1]]);
      colleague(['sync']);
      const rows = (JSON.parse(colleague(['show', id, '--json'])) as { objectives: { id: string }[] }).objectives.map((r) => r.id);
      expect(rows.length).toBe(3);

      // Offline here, the second objective is rewritten; the colleague,
      // not having seen that, removes it and syncs; then this library syncs.
      const patch = (name: string, value: unknown) => {
        const f = join(h.tmp, name);
        writeFileSync(f, JSON.stringify(value));
        return f;
      };
      me(['edit', id, '--patch', patch('mine.json', { objectives: [{ id: rows[0] }, { id: rows[1], text: '说出光疗的指征，并能按小时龄查光疗曲线' }, { id: rows[2] }] })]);
      colleague(['edit', id, '--patch', patch('theirs.json', { objectives: [{ id: rows[0] }, { id: rows[2] }] })]);
      colleague(['sync']);
      me(['sync']);

      await h.startApp();
      await h.s.click(await h.s.waitFor('.doclist .doc'));
      await h.s.waitFor('.removed-rows', 20_000);
      await h.shot(`removed-01-notice-${lang}`);
      // textContent: WebKit's driver leaves a flex item's <q> out of an element's text.
      const notice = await h.s.exec<string>(`return document.querySelector('.removed-rows').textContent`);
      expect(notice).toContain('按小时龄查光疗曲线');
      expect(notice).toContain(lang === 'zh' ? '教学目标' : 'Objectives');
      expect(await h.s.exec<number>(`return document.querySelectorAll('.list-objectives .row').length`)).toBe(2);

      await h.s.exec(`document.querySelector('.removed-rows .restore-row').click()`);
      await h.s.until(`return !document.querySelector('.removed-rows') && document.querySelectorAll('.list-objectives .row').length === 3`, [], 20_000);
      const texts = await h.s.exec<string[]>(`return [...document.querySelectorAll('.list-objectives .row textarea[data-field=text]')].map(e => e.value)`);
      expect(texts[1]).toBe('说出光疗的指征，并能按小时龄查光疗曲线');
      await h.shot(`removed-02-restored-${lang}`);

      // The restored row reaches the colleague.
      let got: { text: string }[] = [];
      for (let i = 0; i < 50 && got.length !== 3; i++) {
        colleague(['sync']);
        got = (JSON.parse(colleague(['show', id, '--json'])) as { objectives: { text: string }[] }).objectives;
        if (got.length !== 3) await new Promise((r) => setTimeout(r, 300));
      }
      expect(got.map((r) => r.text)).toEqual(['区分生理性黄疸与病理性黄疸', '说出光疗的指征，并能按小时龄查光疗曲线', '了解换血疗法']);
    }, 120_000);
  });
}
