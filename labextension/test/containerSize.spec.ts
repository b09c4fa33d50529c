import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

import type { Spec } from 'vega';

import { followContainer } from '../src/containerSize';

const CONTAINER_WIDE: TopLevelSpec = {
  width: 'container',
  height: 120,
  data: { values: [{ x: 1, y: 2 }] },
  mark: 'line',
  encoding: {
    x: { field: 'x', type: 'quantitative' },
    y: { field: 'y', type: 'quantitative' }
  }
};

function width(
  spec: Spec
): { on?: { events: unknown; update?: unknown }[] } | undefined {
  return spec.signals?.find(signal => signal.name === 'width');
}

describe('charts as wide as their container', () => {
  it('re-read the container size when the container resizes, not only the window', () => {
    const compiled = compile(CONTAINER_WIDE).spec;
    const before = width(compiled);
    expect(before?.on?.map(h => h.events)).toEqual(['window:resize']);
    const patched = followContainer(compiled);
    const handlers = width(patched)?.on ?? [];
    expect(handlers.map(h => h.events)).toEqual([
      'window:resize',
      'container:resize'
    ]);
    expect(handlers[1]?.update).toBe(handlers[0]?.update);
    expect(width(compiled)?.on).toHaveLength(1); // the compiled spec itself is left as it was
  });

  it('leave fixed-size charts and specs already following the container alone', () => {
    const fixed = compile({ ...CONTAINER_WIDE, width: 300 }).spec;
    expect(followContainer(fixed)).toEqual(fixed);
    const once = followContainer(compile(CONTAINER_WIDE).spec);
    expect(followContainer(once)).toEqual(once);
    expect(followContainer({})).toEqual({});
  });
});
