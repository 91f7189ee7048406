import { describe, expect, it } from 'vitest';
import { NAME_MAX, checkName, needsName } from './settings';

const profile = (name: string) => ({ name, user_id: 'u', data_dir: '/d', system_languages: [] });

describe('the teacher’s name', () => {
  it('is asked for only while the library has none', () => {
    expect(needsName(null)).toBe(false);
    expect(needsName(profile(''))).toBe(true);
    expect(needsName(profile('  '))).toBe(true);
    expect(needsName(profile('周老师'))).toBe(false);
  });

  it('is checked as the store checks it: trimmed, 1 to NAME_MAX characters', () => {
    expect(checkName('  周老师 ')).toEqual({ name: '周老师' });
    expect(checkName('   ')).toEqual({ error: 'name_empty' });
    // Characters, not UTF-16 units: a name of CJK extension-B characters fits.
    expect(checkName('𠀀'.repeat(NAME_MAX))).toEqual({ name: '𠀀'.repeat(NAME_MAX) });
    expect(checkName('a'.repeat(NAME_MAX + 1))).toEqual({ error: 'name_too_long' });
  });
});
