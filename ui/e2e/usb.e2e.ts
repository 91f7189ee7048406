// End-to-end: a site whose link is down syncs by USB drive. The app writes
// its changes to the drive, the office imports the file with
// `rounds-office bundle import` (its server stopped: nothing goes over the
// network), and the app reads the office's answer: the centre's plan
// appears in the library. Reading the same answer again says it is old.
// In Chinese and in English, with screenshots of each step.

import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';

const { rounds, office } = bins;

const texts = {
  zh: { written: '已写入', read: '已读入', old: '早于您上次同步', missing: '还没有教研室的回复' },
  en: { written: 'Written:', read: 'Read:', old: 'older than your last sync', missing: 'no answer from the office' },
} as const;

function flow(lang: 'zh' | 'en', port: number) {
  const h = new Harness(port);
  beforeAll(() => h.startDriver(lang), 30_000);
  afterAll(() => h.stop());

  it(`writes to the drive and reads the office's answer (${lang})`, async () => {
    const said = texts[lang];
    const { url, codes, dir } = await h.office(['乡镇医生', '中心老师']);
    const centre = join(h.tmp, 'centre');
    h.run(rounds, ['--data', centre, 'join', url, codes[1]]);
    const theirs = JSON.parse(h.run(rounds, ['--data', centre, 'new', 'lesson', '新生儿黄疸的识别', '--json'])) as { id: string };
    h.run(rounds, ['--data', centre, 'share', theirs.id]);
    h.run(rounds, ['--data', centre, 'sync']);
    h.run(rounds, ['--data', h.data, 'profile', '--name', '乡镇医生']);
    h.run(rounds, ['--data', h.data, 'join', url, codes[0]]);
    const mine = JSON.parse(h.run(rounds, ['--data', h.data, 'new', 'lesson', '小儿腹泻的补液', '--json'])) as { id: string };
    h.run(rounds, ['--data', h.data, 'share', mine.id]);
    // The link goes down before the app opens.
    h.stopOffices();
    const drive = join(h.tmp, 'USB');
    mkdirSync(drive);

    await h.startApp();
    await h.s.click(await h.s.waitFor('.syncbar .usb-open'));
    await h.retype('.usb-dialog input[name=folder]', drive);
    // Nothing from the office yet.
    await h.s.exec(`document.querySelector('.usb-dialog .usb-read').click()`);
    await h.s.until(`return document.querySelector('.usb-dialog .field-error')?.textContent.includes(${JSON.stringify(said.missing)})`, [], 15_000);
    await h.s.exec(`document.querySelector('.usb-dialog .usb-write').click()`);
    await h.s.until(`return document.querySelector('.usb-dialog .usb-said')?.textContent.includes(${JSON.stringify(said.written)})`, [], 15_000);
    expect(await h.s.text(await h.s.find('.usb-dialog .usb-said'))).toContain('1');
    await h.shot(`usb-01-written-${lang}`);

    const file = h.run('sh', ['-c', `ls ${JSON.stringify(drive)}/rounds-*.rounds`]);
    const report = JSON.parse(h.run(office, ['--data', dir, 'bundle', 'import', file, '--json'])) as { docs_accepted: number };
    expect(report.docs_accepted).toBe(1);
    expect(existsSync(file.replace('.rounds', '-return.rounds'))).toBe(true);

    await h.s.exec(`document.querySelector('.usb-dialog .usb-read').click()`);
    await h.s.until(`return document.querySelector('.usb-dialog .usb-said')?.textContent.includes(${JSON.stringify(said.read)})`, [], 15_000);
    await h.shot(`usb-02-read-${lang}`);
    await h.s.exec(`document.querySelector('.usb-dialog .usb-read').click()`);
    await h.s.until(`return document.querySelector('.usb-dialog .usb-said')?.textContent.includes(${JSON.stringify(said.old)})`, [], 15_000);
    await h.clickButton('.usb-dialog', lang === 'zh' ? '关闭' : 'Close');
    // The centre's plan arrived by drive.
    await h.s.until(`return [...document.querySelectorAll('.doclist .doc')].some(d => d.textContent.includes('新生儿黄疸的识别'))`, [], 15_000);
    await h.shot(`usb-03-library-${lang}`);
  });
}

describe('sync by USB drive, in Chinese', () => flow('zh', 4450));
describe('sync by USB drive, in English', () => flow('en', 4452));
