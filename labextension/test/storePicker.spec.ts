import { describe, expect, it } from 'vitest';

import { shortFolder } from '../src/format';

describe('the store picker’s folder label', () => {
  it('shows a short folder whole', () => {
    expect(shortFolder('')).toBe('/');
    expect(shortFolder('broken')).toBe('/broken');
    expect(shortFolder('projects/churn')).toBe('/projects/churn');
  });

  it('keeps the last folders of a long path that fit', () => {
    const label = shortFolder(
      'projects/churn-prediction/experiments/notebooks'
    );
    expect(label).toBe('…/experiments/notebooks');
    expect(shortFolder('a/b/c/d/e/f/g/h/i/j/k/l/m/n')).toBe(
      '…/d/e/f/g/h/i/j/k/l/m/n'
    );
    expect(shortFolder('team/x/y/2026/q4')).toBe('/team/x/y/2026/q4');
  });

  it('cuts the middle of one folder name too long to show', () => {
    const label = shortFolder(`data/${'a'.repeat(20)}${'b'.repeat(20)}`);
    expect(label.length).toBeLessThanOrEqual(24);
    expect(label.startsWith('…/aaaa')).toBe(true);
    expect(label.endsWith('bbbb')).toBe(true);
    expect(label).toContain('…');
  });

  it('never gives a label longer than asked for', () => {
    for (const path of [
      'x'.repeat(100),
      'a/'.repeat(40) + 'b',
      'ü/'.repeat(30)
    ]) {
      expect(shortFolder(path).length).toBeLessThanOrEqual(24);
    }
  });
});
