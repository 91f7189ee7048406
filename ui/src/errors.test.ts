import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_KEYS, bannerText, errorText, fieldAt } from './errors';
import { catalogs } from './i18n';
import type { SchemaInfo } from './generated/SchemaInfo';

const label = (zh: string, en: string) => ({ zh, en });
const schema: SchemaInfo = {
  title_max: 200,
  tags_max: 50,
  filters: [],
  kinds: [
    {
      kind: 'lesson_plan',
      label: label('教案', 'Lesson plan'),
      new_doc: label('新建教案', 'New lesson plan'),
      untitled: label('未命名教案', 'Untitled lesson plan'),
      print_title: label('教　案', 'Lesson Plan'),
      holds_patient_data: false,
      filters: ['status'],
      print_header: [],
      teacher_only: [],
      sections: [
        {
          key: 'header',
          label: label('基本信息', 'Header'),
          fields: [
            { key: 'date', label: label('日期', 'Date'), input: { type: 'date', min_year: 1900, max_year: 2100 } },
            {
              key: 'process',
              label: label('教学过程', 'Teaching process'),
              input: { type: 'list', max_items: 100, item: [{ key: 'minutes', label: label('时间（分钟）', 'Minutes'), input: { type: 'int', min: 0, max: 600 } }] },
            },
          ],
        },
      ],
    },
  ],
};

/** The codes the backend returns, read from the type generated from Rust. */
function backendCodes(): string[] {
  const ts = readFileSync(join(__dirname, 'generated/ErrorCode.ts'), 'utf8');
  const union = /export type ErrorCode = ([^;]+);/.exec(ts)?.[1] ?? '';
  return [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

const hasLatin = (s: string) => /[A-Za-z]{3,}/.test(s.replace(/https:\/\/office\.example\.org|Rounds/g, ''));

describe('error texts', () => {
  it('exist in both languages for every error code the backend returns', () => {
    const codes = backendCodes();
    expect(codes.length).toBeGreaterThanOrEqual(7);
    for (const code of codes) {
      const key = (ERROR_KEYS as Record<string, string>)[code];
      expect(key, code).toBeTruthy();
      for (const lang of ['zh', 'en'] as const) expect((catalogs[lang] as Record<string, string>)[key]?.trim(), `${lang} ${code}`).toBeTruthy();
      const zh = errorText({ code: code as never, message: 'the backend said so', field: null }, 'zh', schema);
      // Chinese text, apart from an internal error's technical detail.
      if (code !== 'internal') expect(hasLatin(zh), zh).toBe(false);
    }
  });

  it('keeps the banner’s error as it came, so the banner follows a change of language', () => {
    const shown = { e: { code: 'not_found', message: 'document 0193 not found', field: null } };
    expect(bannerText(shown, 'zh', schema)).toBe(catalogs.zh.error_not_found);
    expect(bannerText(shown, 'en', schema)).toBe(catalogs.en.error_not_found);
    // Before the app could start (no schema), or a failure that is not an
    // AppError: the internal text, with the detail, in either language.
    const early = { e: new Error('no schema'), internal: true };
    expect(bannerText(early, 'zh', null)).toContain('出现了问题');
    expect(bannerText(early, 'en', schema)).toContain('Something went wrong (Error: no schema)');
  });

  it('says in Chinese that joining failed, without promising any sync', () => {
    const offline = { code: 'offline' as const, message: 'cannot reach the office (connection refused); your work is safe here and will sync when the connection returns', field: null };
    const zh = errorText(offline, 'zh', schema, 'join');
    expect(hasLatin(zh)).toBe(false);
    expect(zh).not.toContain('同步');
    expect(zh).toContain('尚未加入');
    expect(errorText(offline, 'en', schema, 'join')).not.toMatch(/sync/i);
    expect(errorText({ code: 'invalid', message: 'the office answered 403: code spent', field: 'code' }, 'zh', schema, 'join')).toContain('邀请码');
    expect(errorText({ code: 'unauthorized', message: 'revoked', field: null }, 'zh', schema, 'join')).toContain('邀请码');
    expect(errorText({ code: 'invalid', message: 'url: relative URL', field: 'url' }, 'zh', schema, 'join')).toContain('地址');
  });

  it('names the field the core refused, in the UI’s language, with what it takes', () => {
    const date = { code: 'invalid' as const, message: 'date: must be a date in the years 1900 to 2100', field: 'date' };
    expect(errorText(date, 'zh', schema)).toBe('日期：请输入 1900 年到 2100 年之间的有效日期，例如 2026-03-15。');
    expect(errorText(date, 'en', schema)).toBe('Date: enter a real date in the years 1900 to 2100, such as 2026-03-15.');
    const minutes = { code: 'invalid' as const, message: 'process[2].minutes: must not be negative', field: 'process[2].minutes' };
    expect(errorText(minutes, 'zh', schema)).toBe('教学过程 · 第 3 行 · 时间（分钟）：请输入 0 到 600 之间的数值。');
    expect(fieldAt(schema, 'process[0]', 'en')?.label).toBe('Teaching process · Row 1');
    expect(fieldAt(schema, 'nonsense', 'en')).toBeNull();
    // A field the schema does not know still gets a sentence in the UI's language.
    expect(errorText({ code: 'invalid', message: 'edit: must be an object', field: 'edit' }, 'zh', schema)).toBe(catalogs.zh.error_invalid);
  });

  it('says which rule of the office refused a collaborative action', () => {
    const stage = { code: 'forbidden' as const, message: 'stage: only the lead preparer moves the preparation stages', field: 'stage' };
    expect(errorText(stage, 'zh', schema)).toBe('只有主备人（或教研室管理员）可以推进备课阶段。');
    expect(errorText(stage, 'en', schema)).toContain('lead preparer');
    expect(errorText({ ...stage, field: 'attribution' }, 'zh', schema)).toBe(catalogs.zh.error_forbidden);
    expect(errorText({ code: 'invalid', message: 'comment: may not be empty', field: 'comment' }, 'zh', schema)).toBe(catalogs.zh.error_body);
  });
});
