import { describe, expect, it } from 'vitest';
import { teacherNeedPath } from './check-recipe';
import { formatPath } from './parse-recipe-text';

describe('teacherNeedPath', () => {
  it('turns a list index into a number, so the path prints with.models[1]', () => {
    const raw = { models: ['./student', 'techer'], judge: 'judge' };
    expect(teacherNeedPath('with.models.1', raw)).toEqual(['with', 'models', 1]);
    expect(formatPath(['stages', 2, ...teacherNeedPath('with.models.1', raw)])).toBe('stages[2].with.models[1]');
    expect(formatPath(teacherNeedPath('models[1]', raw))).toBe('with.models[1]');
    expect(formatPath(teacherNeedPath('with.judge', raw))).toBe('with.judge');
    expect(formatPath(teacherNeedPath('teacher', {}))).toBe('with.teacher');
  });

  it('keeps a map key that looks like a number as a key', () => {
    const raw = { models: { '1': 'teacher', student: './student' } };
    expect(teacherNeedPath('with.models.1', raw)).toEqual(['with', 'models', '1']);
    expect(formatPath(teacherNeedPath('with.models.1', raw))).toBe('with.models["1"]');
    expect(formatPath(teacherNeedPath('with.models.student', raw))).toBe('with.models.student');
  });
});
