import { describe, expect, it } from 'vitest';
import { describeUsb } from './usb';
import { translate } from './i18n';
import type { UsbOutcome } from './generated/UsbOutcome';

const none: UsbOutcome = { file: '/media/u/rounds-1.rounds', docs_sent: 0, changes_sent: 0, received: 0, acknowledged: 0, refused: 0, cursor_moved: false };

describe('what the USB dialog says', () => {
  it('says what was written, or that nothing was new', () => {
    const d = describeUsb('write', { ...none, docs_sent: 2, changes_sent: 7 }, () => '');
    expect(translate('zh', d.key, d.params)).toContain('2 份文档的 7 处修改');
    expect(describeUsb('write', none, () => '').key).toBe('usb_nothing');
  });
  it('says what was read, and mentions refusals only when there are some', () => {
    const ok = describeUsb('read', { ...none, received: 3, acknowledged: 1, cursor_moved: true }, (n) => translate('en', 'usb_read_refused', { n }));
    expect(translate('en', ok.key, ok.params)).toBe('Read: 3 documents received, 1 of yours confirmed by the office.');
    const refused = describeUsb('read', { ...none, acknowledged: 1, refused: 2, cursor_moved: true }, (n) => translate('en', 'usb_read_refused', { n }));
    expect(translate('en', refused.key, refused.params)).toContain('2 refused');
  });
  it('says an old answer changed nothing else', () => {
    expect(describeUsb('read', { ...none, received: 3 }, () => '').key).toBe('usb_read_old');
  });
});
