import { describe, expect, it } from 'vitest';
import { changesSince, restorePatch, textDiff } from './versions';
import type { KindInfo } from './generated/KindInfo';

const label = (zh: string, en: string) => ({ zh, en });
const kind: KindInfo = {
  kind: 'lesson_plan',
  label: label('教案', 'Lesson plan'),
  new_doc: label('新建教案', 'New lesson plan'),
  untitled: label('未命名教案', 'Untitled lesson plan'),
  print_title: label('教　案', 'Lesson Plan'),
  holds_patient_data: false,
  filters: [],
  print_header: [],
  teacher_only: [],
  sections: [
    {
      key: 'header',
      label: label('基本信息', 'Header'),
      fields: [
        { key: 'course', label: label('课程', 'Course'), input: { type: 'text', max: 200, multiline: false } },
        { key: 'learner_count', label: label('人数', 'Learners'), input: { type: 'int', min: 0, max: 1000 } },
        { key: 'process', label: label('教学过程', 'Process'), input: { type: 'list', max_items: 50, item: [{ key: 'stage', label: label('环节', 'Stage'), input: { type: 'text', max: 200, multiline: false } }] } },
      ],
    },
  ],
};

describe('earlier versions', () => {
  it('marks insertions and deletions by character', () => {
    expect(textDiff('儿科学总论', '儿科学各论')).toEqual([
      { text: '儿科学', kind: 'same' },
      { text: '总', kind: 'del' },
      { text: '各', kind: 'ins' },
      { text: '论', kind: 'same' },
    ]);
  });

  it('lists the fields that differ, with what changed since', () => {
    const old = { title: '川崎病', tags: ['心血管'], course: '儿科学', learner_count: 12, process: [{ id: 'r1', stage: '导入' }] };
    const cur = { title: '川崎病', tags: ['心血管'], course: '儿科学（二）', learner_count: 12, process: [{ id: 'r1', stage: '导入' }, { id: 'r2', stage: '讨论' }] };
    const ch = changesSince(kind, old, cur, 'zh', 'en-GB', { title: '标题', tags: '标签' });
    expect(ch.map((c) => c.key)).toEqual(['course', 'process']);
    expect(ch[0].old).toBe('儿科学');
    expect(ch[0].parts.filter((p) => p.kind === 'ins').map((p) => p.text).join('')).toBe('（二）');
    expect(ch[1].old).toBe('导入');
    // Empty text and a missing value are the same thing.
    expect(changesSince(kind, { course: '' }, { course: null }, 'zh', 'en-GB', { title: '', tags: '' })).toEqual([]);
  });

  it('restores by setting every differing field to its old value, list rows with their ids', () => {
    const old = { title: '川崎病', tags: ['心血管'], course: '儿科学', learner_count: null, process: [{ id: 'r1', stage: '导入' }, { id: 'r2', stage: '讨论' }] };
    const cur = { title: '川崎病（修订）', tags: ['心血管'], course: '儿科学', learner_count: 30, process: [{ id: 'r1', stage: '导入' }] };
    expect(restorePatch(kind, old, cur)).toEqual({ title: '川崎病', learner_count: null, process: [{ id: 'r1', stage: '导入' }, { id: 'r2', stage: '讨论' }] });
    expect(restorePatch(kind, cur, cur)).toEqual({});
  });
});
