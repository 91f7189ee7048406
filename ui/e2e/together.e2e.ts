// Two teachers, two app windows, one lesson plan: both type into the same
// field at the same time; after syncing, each window shows both texts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';

const lead = new Harness(4444);
const peer = new Harness(4446);
const { rounds } = bins;

beforeAll(async () => {
  await lead.startDriver('zh');
  await peer.startDriver('zh');
}, 30_000);
afterAll(async () => {
  await lead.stop();
  await peer.stop();
});

const syncNow = (h: Harness) => h.s.exec(`window.__TAURI_INTERNALS__.invoke('sync_now')`);
const methods = (h: Harness) => h.value('[data-field=methods]');

describe('two windows on one plan', () => {
  it('keeps what both teachers typed into the same field at the same time', async () => {
    const { url, codes } = await lead.office(['主备人', '参与人']);
    // Both libraries joined and holding the shared plan before the apps open.
    lead.run(rounds, ['--data', lead.data, 'profile', '--name', '主备人']);
    lead.run(rounds, ['--data', lead.data, 'join', url, codes[0]]);
    const plan = JSON.parse(lead.run(rounds, ['--data', lead.data, 'new', 'lesson', '小儿腹泻的补液', '--json'])) as { id: string };
    lead.run(rounds, ['--data', lead.data, 'share', plan.id]);
    lead.run(rounds, ['--data', lead.data, 'sync']);
    peer.run(rounds, ['--data', peer.data, 'profile', '--name', '参与人']);
    peer.run(rounds, ['--data', peer.data, 'join', url, codes[1]]);
    peer.run(rounds, ['--data', peer.data, 'sync']);

    for (const h of [lead, peer]) {
      await h.startApp();
      await h.s.click(await h.s.waitFor('.doclist .doc'));
      await h.s.waitFor('[data-field=methods]');
      await h.s.exec(`document.querySelector('[data-field=methods]').focus()`);
    }
    const field = async (h: Harness) => h.s.find('[data-field=methods]');
    const [a, b] = [await field(lead), await field(peer)];
    // Both type at once.
    await Promise.all([lead.s.type(a, '讲解脱水程度的判断。'), peer.s.type(b, '补充口服补液盐的配制。')]);
    await Promise.all([lead.waitSaved(), peer.waitSaved()]);
    // Each syncs (without a click, so the focus stays), twice round.
    for (let i = 0; i < 2; i++) {
      for (const h of [lead, peer, lead]) {
        await syncNow(h);
        await h.s.until(`return document.querySelector('.syncbar.tone-ok') !== null`, [], 20_000);
      }
    }
    const both = (v: string | null) => !!v && v.includes('讲解脱水程度的判断。') && v.includes('补充口服补液盐的配制。');
    for (const h of [lead, peer]) {
      await h.s.until(
        `const v = document.querySelector('[data-field=methods]').value; return v.includes('讲解脱水程度的判断。') && v.includes('补充口服补液盐的配制。')`,
        [],
        20_000,
      );
    }
    const [va, vb] = [await methods(lead), await methods(peer)];
    expect(both(va)).toBe(true);
    expect(va).toBe(vb);
    await lead.shot('together-01-lead-zh');
    await peer.shot('together-02-participant-zh');
  });
});
