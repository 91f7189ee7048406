import { describe, expect, it } from 'vitest';
import { englishLocale, formatDate, monthFirst, parseDate } from './dates';

const years = { min: 1900, max: 2100 };

describe('dates', () => {
  it('reads the forms Chinese teachers type as the same stored date', () => {
    for (const raw of ['2026-03-15', '2026-3-15', '2026/3/15', '2026.03.15', '2026年3月15日', '2026 年 3 月 15 日', ' 2026-03-15 ']) {
      expect(parseDate(raw, 'en-GB', years), raw).toEqual({ value: '2026-03-15' });
    }
  });

  it('reads English dates with the month as a word, and digits in the locale’s order', () => {
    for (const raw of ['15 Mar 2026', '15 March 2026', 'March 15, 2026', 'Mar. 15 2026', '15th March 2026']) {
      expect(parseDate(raw, 'en-US', years), raw).toEqual({ value: '2026-03-15' });
    }
    expect(parseDate('4/3/2026', 'en-US', years)).toEqual({ value: '2026-04-03' });
    expect(parseDate('4/3/2026', 'en-GB', years)).toEqual({ value: '2026-03-04' });
    expect(monthFirst('en-US')).toBe(true);
    expect(monthFirst('en-GB')).toBe(false);
  });

  it('refuses what is not a real date, and years outside the range the store takes', () => {
    for (const raw of ['2026-02-30', '2026-13-01', '15/03', 'soon', '2026年3月', 'Ma 15 2026', '03/15/2026x']) {
      expect(parseDate(raw, 'en-GB', years), raw).toEqual({ error: 'date' });
    }
    // The mix-up the webview's date input made: day and month read as a year.
    expect(parseDate('0015-12-03', 'en-GB', years)).toEqual({ error: 'date_range' });
    expect(parseDate('2101-01-01', 'en-GB', years)).toEqual({ error: 'date_range' });
    expect(parseDate('1900-01-01', 'en-GB', years)).toEqual({ value: '1900-01-01' });
    expect(parseDate('2024-02-29', 'en-GB', years)).toEqual({ value: '2024-02-29' });
    expect(parseDate('2100-02-29', 'en-GB', years)).toEqual({ error: 'date' });
    expect(parseDate('  ', 'en-GB', years)).toEqual({ value: null });
  });

  it('shows YYYY-MM-DD in Chinese (年月日 on paper) and the locale’s order in English', () => {
    expect(formatDate('2026-03-05', 'zh', 'en-US')).toBe('2026-03-05');
    expect(formatDate('2026-03-05', 'zh', 'en-US', 'print')).toBe('2026年3月5日');
    expect(formatDate('2026-03-05', 'en', 'en-US')).toBe('Mar 5, 2026');
    expect(formatDate('2026-03-05', 'en', 'en-GB')).toBe('5 Mar 2026');
    expect(formatDate(null, 'en', 'en-GB')).toBe('');
    // What is shown can be typed back.
    for (const locale of ['en-US', 'en-GB']) expect(parseDate(formatDate('2026-11-30', 'en', locale), locale, years)).toEqual({ value: '2026-11-30' });
  });

  it('writes English dates in the system’s English', () => {
    expect(englishLocale(['en_US.UTF-8'])).toBe('en-US');
    expect(englishLocale(['zh_CN.UTF-8', 'en-AU'])).toBe('en-AU');
    expect(englishLocale(['zh-CN'])).toBe('en-GB');
  });
});
