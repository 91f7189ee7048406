import { describe, expect, it } from 'vitest';
import { catalogs, detectLang, formatTime, placeholders, translate } from './i18n';

describe('i18n', () => {
  it('has the same keys and placeholders in both languages', () => {
    const en = catalogs.en as Record<string, string>;
    const zh = catalogs.zh as Record<string, string>;
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en)) {
      expect(placeholders(zh[k]), k).toEqual(placeholders(en[k]));
      expect(zh[k].trim(), k).not.toBe('');
    }
  });

  it('fills placeholders', () => {
    expect(translate('en', 'sync_pending', { n: 3 })).toBe('3 documents waiting to sync');
    expect(translate('zh', 'sync_pending', { n: 3 })).toBe('3 份文档等待同步');
  });

  it('defaults to the system language, Chinese for any zh variant', () => {
    expect(detectLang(['zh-CN'])).toBe('zh');
    expect(detectLang(['zh-TW', 'en'])).toBe('zh');
    expect(detectLang(['en-US'])).toBe('en');
    expect(detectLang(['fr-FR', 'zh-CN'])).toBe('zh');
    expect(detectLang([])).toBe('en');
    expect(detectLang(['zh_CN.UTF-8'])).toBe('zh');
    expect(detectLang(['en_GB.UTF-8', 'zh_CN'])).toBe('en');
  });

  it('formats recent times relatively', () => {
    const now = Date.UTC(2026, 0, 10, 12, 0, 0);
    expect(formatTime(now - 10_000, 'zh', now)).toBe('刚刚');
    expect(formatTime(now - 5 * 60_000, 'en', now)).toBe('5 min ago');
    expect(formatTime(now - 3 * 86_400_000, 'en', now)).toMatch(/2026/);
  });
});
