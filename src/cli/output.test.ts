import { describe, expect, it } from 'vitest';
import { renderResource, renderTable } from './output.js';

describe('renderTable', () => {
  it('pads columns to the widest cell and shows missing values as "-"', () => {
    const text = renderTable(
      [{ header: 'NAME', value: 'name' }, { header: 'STEPS', value: (m) => (m['buildStep'] as unknown[]).length }, { header: 'STATUS', value: 'a.b' }],
      [{ name: 'a-long-name', buildStep: [1, 2], a: { b: 'OK' } }, { name: 'x', buildStep: [] }],
    );
    expect(text.split('\n')).toEqual(['NAME         STEPS  STATUS', 'a-long-name  2      OK', 'x            0      -']);
  });

  it('prints only the header for an empty collection', () => {
    expect(renderTable([{ header: 'NAME', value: 'name' }], [])).toBe('NAME');
  });
});

describe('renderResource', () => {
  it('lists scalars first and indents multi-line text', () => {
    const text = renderResource({ steps: [1], name: 'n', content: 'a\nb' });
    expect(text).toBe('name     n\ncontent  |\n    a\n    b\nsteps    [1]');
  });
});
