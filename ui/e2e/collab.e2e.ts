// Preparing a plan together (集体备课) in two app windows with a real
// office: the lead preparer and a participant at a township site comment on
// the same paragraph; the participant suggests a change; the lead accepts
// it and both windows show the new text. Screenshots of the comment
// margin, the compare view and the inbox in Chinese and in English.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';

const lead = new Harness(4444);
const peer = new Harness(4446);
const reviewer = new Harness(4448);
const { rounds } = bins;

const METHODS = '以一例中度脱水患儿导入，分组讨论口服补液与静脉补液的指征，最后由学员总结。';

beforeAll(async () => {
  await lead.startDriver('zh');
  await peer.startDriver('zh');
  await reviewer.startDriver('zh');
}, 30_000);
afterAll(async () => {
  await lead.stop();
  await peer.stop();
  await reviewer.stop();
});

const syncNow = async (h: Harness) => {
  await h.s.exec(`window.__TAURI_INTERNALS__.invoke('sync_now')`);
  await h.s.until(`return document.querySelector('.syncbar.tone-ok') !== null`, [], 20_000);
};

/** Selects `part` of the methods text as a teacher would with the mouse, which offers Comment and Suggest. */
async function select(h: Harness, part: string) {
  await h.s.exec(
    `const el = document.querySelector('.editor [data-field=methods]');
     const i = el.value.indexOf(arguments[0]);
     el.focus();
     el.setSelectionRange(i, i + arguments[0].length);
     const r = el.getBoundingClientRect();
     el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, clientX: r.left + 120, clientY: r.top + 20 }));`,
    [part],
  );
  await h.s.waitFor('.selection-tools');
}

async function comment(h: Harness, part: string, body: string) {
  await select(h, part);
  await h.s.click(await h.s.find('.selection-tools .sel-comment'));
  await h.s.type(await h.s.waitFor('.composer textarea[name=body]'), body);
  await h.s.click(await h.s.find('.composer button[type=submit]'));
  await h.s.until(`return !document.querySelector('.composer') && [...document.querySelectorAll('.thread .msg-body')].some(e => e.textContent === arguments[0])`, [body]);
}

async function setLang(h: Harness, lang: 'zh' | 'en') {
  // Through the select's change event: a dialog's backdrop may cover the top bar.
  await h.s.exec(`const s = document.querySelector('.topbar .lang select'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`, [lang]);
  await h.s.until(`return document.documentElement.lang === arguments[0]`, [lang === 'zh' ? 'zh-CN' : 'en']);
}

describe('preparing a plan together in two windows', () => {
  it('comments from both sides, a suggestion accepted by the lead, compare and inbox', async () => {
    const { url, codes } = await lead.office([
      { name: '李主任', site: '市儿童医院' },
      { name: '王医生', site: '青山镇卫生院' },
      { name: '张教授', site: '医学院', role: 'lead_teacher' },
    ]);
    lead.run(rounds, ['--data', lead.data, 'profile', '--name', '李主任']);
    lead.run(rounds, ['--data', lead.data, 'join', url, codes[0]]);
    peer.run(rounds, ['--data', peer.data, 'profile', '--name', '王医生']);
    peer.run(rounds, ['--data', peer.data, 'join', url, codes[1]]);
    reviewer.run(rounds, ['--data', reviewer.data, 'profile', '--name', '张教授']);
    reviewer.run(rounds, ['--data', reviewer.data, 'join', url, codes[2]]);
    const plan = JSON.parse(lead.run(rounds, ['--data', lead.data, 'new', 'lesson', '小儿腹泻的液体疗法', '--set', `methods=${METHODS}`, '--set', 'course=儿科学', '--json'])) as { id: string };
    lead.run(rounds, ['--data', lead.data, 'share', plan.id]);
    lead.run(rounds, ['--data', lead.data, 'sync']);
    peer.run(rounds, ['--data', peer.data, 'sync']);

    // The lead forms the group in the app: the participant from the directory, comments only.
    await lead.startApp();
    await lead.s.click(await lead.s.waitFor('.doclist .doc'));
    await lead.s.waitFor('.collab-bar .edit-group');
    await lead.s.click(await lead.s.find('.collab-bar .edit-group'));
    await lead.s.waitFor('.group-dialog');
    await lead.s.exec(`const box = [...document.querySelectorAll('.group-members li')].find(li => li.textContent.includes('王医生')).querySelector('input.pick'); box.click();`);
    await lead.retype('.group-dialog input[name=due-discussion]', '2027-03-10');
    await lead.shot('collab-00-group-zh');
    await lead.s.click(await lead.s.find('.group-dialog .save-group'));
    await lead.s.until(`return !document.querySelector('.group-dialog') && document.querySelector('.collab-bar').textContent.includes('青山镇卫生院')`);
    await lead.clickButton('.collab-stages', '集体研讨');
    await lead.s.until(`return document.querySelector('.stages li.current')?.dataset.stage === 'discussion'`);
    await comment(lead, '中度脱水患儿', '请补充脱水程度的评估表');
    await syncNow(lead);

    // The participant, in the other window: the plan is read-only for them, but they comment and suggest on the same paragraph.
    await peer.startApp();
    await syncNow(peer);
    await peer.s.click(await peer.s.waitFor('.doclist .doc'));
    await peer.s.until(`return document.querySelector('.comment-only-note') !== null && document.querySelector('.editor [data-field=methods]').readOnly`, [], 15_000);
    await peer.s.until(`return [...document.querySelectorAll('.thread .msg-body')].some(e => e.textContent === '请补充脱水程度的评估表')`, [], 15_000);
    await comment(peer, '口服补液与静脉补液的指征', '镇卫生院以口服补液为主，静脉补液条件有限');
    await select(peer, '最后由学员总结');
    await peer.s.click(await peer.s.find('.selection-tools .sel-suggest'));
    await peer.retype('.composer textarea[name=proposed]', '最后由学员总结并完成一例补液计算');
    await peer.s.type(await peer.s.find('.composer textarea[name=body]'), '加上计算练习');
    await peer.s.click(await peer.s.find('.composer button[type=submit]'));
    await peer.s.waitFor('.thread.suggestion');
    // The participant may not accept their own suggestion.
    expect(await peer.s.exec<number>(`return document.querySelectorAll('.thread.suggestion .accept').length`)).toBe(0);
    await syncNow(peer);

    // The lead sees both and accepts the suggestion: the text changes in both windows.
    await syncNow(lead);
    await lead.s.until(`return document.querySelector('.thread.suggestion .accept') !== null`, [], 20_000);
    await lead.shot('collab-01-margin-before-zh');
    // Clicking a thread shows its text in the form, selected (and offers no new comment on it).
    await lead.s.exec(`[...document.querySelectorAll('.thread')].find(t => t.textContent.includes('镇卫生院以口服补液为主')).querySelector('.thread-where').click()`);
    await lead.s.until(`const el = document.querySelector('.editor [data-field=methods]'); return document.activeElement === el && el.value.slice(el.selectionStart, el.selectionEnd) === '口服补液与静脉补液的指征'`);
    expect(await lead.s.exec<boolean>(`return document.querySelector('.selection-tools') === null && document.querySelector('.thread.active') !== null`)).toBe(true);
    await lead.s.click(await lead.s.find('.thread.suggestion .accept'));
    await lead.s.until(`return document.querySelector('.editor [data-field=methods]').value.includes('最后由学员总结并完成一例补液计算')`, [], 15_000);
    await lead.s.until(`return document.querySelector('.thread.suggestion .decision.accepted') !== null`);
    // Reply in the participant's thread, mentioning them from the directory.
    await lead.s.exec(`[...document.querySelectorAll('.thread')].find(t => t.textContent.includes('镇卫生院以口服补液为主')).querySelector('button.reply').click()`);
    const reply = await lead.s.waitFor('.reply-form textarea');
    await lead.s.type(reply, '同意 @王');
    await lead.s.waitFor('.mention-picker .mention-option');
    await lead.s.exec(`document.querySelector('.mention-picker .mention-option').click()`);
    await lead.s.until(`return document.querySelector('.reply-form textarea').value.includes('@王医生')`);
    await lead.s.click(await lead.s.find('.reply-form button[type=submit]'));
    await lead.s.until(`return [...document.querySelectorAll('.thread .msg-body')].some(e => e.textContent.includes('@王医生'))`);
    await lead.s.exec(`const m = document.querySelector('main'); m.scrollTop += document.querySelector('.editor [data-field=methods]').getBoundingClientRect().top - 260;`);
    await lead.s.exec(`document.querySelector('.thread-list').scrollTop = 0`);
    await lead.shot('collab-02-margin-zh');
    // A comment on a whole section, from the section's own button.
    await lead.s.exec(`document.querySelector('.editor [data-field=methods]').closest('fieldset.section').querySelector('.comment-section').click()`);
    await lead.s.type(await lead.s.waitFor('.composer textarea[name=body]'), '本节请补充各环节的时间分配');
    await lead.s.click(await lead.s.find('.composer button[type=submit]'));
    await lead.s.until(
      `const t = [...document.querySelectorAll('.thread')].find(t => t.textContent.includes('本节请补充各环节的时间分配'));
       return !!t && t.querySelector('.thread-where').textContent.includes(arguments[0])`,
      [await lead.s.exec<string>(`return document.querySelector('.editor [data-field=methods]').closest('fieldset.section').querySelector('legend').firstChild.textContent.trim()`)],
    );
    await syncNow(lead);
    await syncNow(peer);
    await peer.s.until(`return document.querySelector('.editor [data-field=methods]').value.includes('最后由学员总结并完成一例补液计算')`, [], 20_000);

    // Compare: the first version against the current one, side by side.
    await lead.s.exec(`document.querySelector('main').scrollTop = 0`);
    await lead.s.click(await lead.s.find('.collab-bar .open-compare'));
    await lead.s.until(`return document.querySelector('.compare-dialog table.compare ins') !== null`);
    await lead.shot('collab-03-compare-zh');
    await setLang(lead, 'en');
    await lead.s.until(`return document.querySelector('.compare-dialog h2').textContent.includes('Compare')`);
    await lead.shot('collab-04-compare-en');
    await lead.s.exec(`[...document.querySelectorAll('.compare-dialog .actions button')].pop().click()`);
    await lead.shot('collab-05-margin-en');
    // The lead submits the plan for review; the panel shows the track and the rubrics' place.
    await lead.s.click(await lead.s.find('.collab-bar .open-review'));
    await lead.s.click(await lead.s.waitFor('.review-dialog .submit-review'));
    await lead.s.until(`return document.querySelector('.review-dialog .decisions li') !== null && document.querySelector('.collab-bar .review-chip') !== null`);
    await lead.s.click(await lead.s.find('.review-dialog .show-record'));
    await lead.s.waitFor('.review-dialog .review-record');
    await lead.shot('collab-08-review-en');
    await lead.s.exec(`[...document.querySelectorAll('.review-dialog .actions button')].pop().click()`);
    await syncNow(lead);

    // A lead teacher reviews: scores every criterion, approves, and marks the plan a best version (精华).
    await reviewer.startApp();
    await syncNow(reviewer);
    await reviewer.s.click(await reviewer.s.waitFor('.doclist .doc'));
    await reviewer.s.click(await reviewer.s.waitFor('.collab-bar .open-review'));
    await reviewer.s.waitFor('.review-dialog .rubric-form');
    expect(await reviewer.s.exec<number>(`return document.querySelectorAll('.review-dialog .submit-review').length`)).toBe(0);
    await reviewer.s.exec(`document.querySelectorAll('.rubric tr[data-criterion]').forEach((tr, i) => tr.querySelectorAll('.scale label')[i % 2 ? 3 : 4].click())`);
    await reviewer.s.exec(`const s = document.querySelector('.rubric-form select[name=recommendation]'); s.value = 'minor'; s.dispatchEvent(new Event('change', { bubbles: true }));`);
    await reviewer.s.type(await reviewer.s.find('.rubric-form textarea[name=comment]'), '病例导入贴近基层，建议补充补液计算的评价标准。');
    await reviewer.s.click(await reviewer.s.find('.rubric-form button[type=submit]'));
    await reviewer.s.waitFor('.review-dialog table.scores');
    await reviewer.shot('collab-09-review-zh');
    await reviewer.s.click(await reviewer.s.find('.review-actions .decide-approved'));
    await reviewer.s.until(`return document.querySelector('.collab-bar .review-chip.review-approved') !== null`);
    await reviewer.retype('.mark-best input[name=best]', '2027 春季定稿');
    await reviewer.clickButton('.mark-best', '标为精华');
    await reviewer.s.until(`return document.querySelector('.collab-bar .best-badge')?.textContent.includes('2027 春季定稿')`);
    await reviewer.s.exec(`[...document.querySelectorAll('.review-dialog .actions button')].pop().click()`);
    await reviewer.shot('collab-10-best-zh');
    // The review record on paper: decisions, every score with the total, saved as a PDF and read back.
    await reviewer.s.click(await reviewer.s.find('.collab-bar .open-review'));
    await reviewer.s.click(await reviewer.s.waitFor('.review-dialog .print-record'));
    await reviewer.s.waitFor('.sheet-record table.record-scores');
    await reviewer.shot('collab-13-record-zh');
    await reviewer.s.exec(`document.querySelector('.print-tools .save-pdf').click()`);
    await reviewer.s.waitFor('.print-saved code', 60_000);
    const pdf = await reviewer.s.text(await reviewer.s.find('.print-saved code'));
    const printed = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).normalize('NFKC').replace(/\s+/g, '');
    for (const words of ['审核记录', '已通过', '张教授', '目标明确', '27/30', '病例导入贴近基层']) expect(printed).toContain(words);
    await reviewer.s.exec(`document.querySelector('.print-tools .back-to-editor').click()`);
    await reviewer.s.waitFor('.collab-bar');

    // The participant's inbox: the lead's comment, the decision, the mention; opening one marks it read.
    await peer.s.until(`return document.querySelector('.inbox-btn .badge') !== null`, [], 20_000);
    // The library shows the plan's unread count beside its title.
    await peer.s.exec(`document.querySelector('.editor-bar button').click()`);
    await peer.s.waitFor('.doclist .unread-badge', 15_000);
    await peer.s.click(await peer.s.find('.inbox-btn'));
    await peer.s.waitFor('.inbox-item.unread');
    const kinds = await peer.s.exec<string[]>(`return [...document.querySelectorAll('.inbox-item')].map(e => e.dataset.kind)`);
    expect(kinds).toContain('decision');
    expect(kinds).toContain('mention');
    await peer.shot('collab-06-inbox-zh');
    await setLang(peer, 'en');
    await peer.shot('collab-07-inbox-en');
    const before = await peer.s.exec<number>(`return document.querySelectorAll('.inbox-item.unread').length`);
    await peer.s.click(await peer.s.find('.inbox-item.unread[data-kind=mention]'));
    await peer.s.until(`return document.querySelector('.thread.active') !== null`, [], 15_000);
    await peer.s.click(await peer.s.find('.inbox-btn'));
    await peer.s.until(`return document.querySelectorAll('.inbox-item.unread').length === arguments[0]`, [before - 1]);

    // The township adapts the approved plan for its site (二次备课); the shared plan then changes, and the copy takes the change.
    await peer.s.click(await peer.s.waitFor('.inbox-item'));
    await peer.s.click(await peer.s.waitFor('.collab-bar .adapt', 15_000));
    await peer.s.until(`return document.querySelector('.site-banner') !== null && document.querySelector('.title-input').value.includes('青山镇卫生院')`, [], 15_000);
    await lead.retype('.editor [data-field=course]', '儿科学（第9版）');
    await lead.waitSaved();
    await syncNow(lead);
    await syncNow(peer);
    await peer.s.until(`return document.querySelector('.site-banner.changed') !== null`, [], 20_000);
    await peer.s.click(await peer.s.find('.site-banner .show-upstream-diff'));
    await peer.s.waitFor('.upstream-diff ins');
    await peer.shot('collab-11-site-copy-en');
    await peer.s.click(await peer.s.find('.site-banner .take-upstream'));
    await peer.s.until(`return document.querySelector('.editor [data-field=course]').value === '儿科学（第9版）' && !document.querySelector('.site-banner.changed')`, [], 15_000);

    // Back on the shared plan, a reflection after teaching.
    await peer.s.click(await peer.s.find('.site-banner button'));
    await peer.s.click(await peer.s.waitFor('.collab-bar .open-reflect', 15_000));
    await peer.s.type(await peer.s.waitFor('.reflect-dialog textarea[name=worked]'), 'The case-based opening worked well.');
    await peer.s.click(await peer.s.find('.reflect-dialog .actions button.primary'));
    await peer.s.waitFor('.reflect-dialog .reflection');
    expect(await peer.s.exec<number>(`return document.querySelectorAll('.collab-bar .open-site-copy').length`)).toBe(1);
    await peer.shot('collab-12-reflection-en');
  }, 240_000);
});
