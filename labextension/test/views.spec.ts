import { describe, expect, it } from 'vitest';

import { changedParams, parseTag, withTrackMagic } from '../src/edits';
import { sameVersion } from '../src/version';
import {
  axisTitles,
  parallelRows,
  parallelSpec,
  parallelTicks
} from '../src/charts';
import { columnGroups, tableColumns } from '../src/columns';
import {
  availableColumns,
  defaultColumns,
  nameSuffixes,
  sortedMetric
} from '../src/tableDefaults';
import { formatDuration, formatNumber, runLabel } from '../src/format';
import { run } from './fixtures';

describe('helpers of the views', () => {
  it('inserts %%track once, at the top', () => {
    expect(withTrackMagic('x = 1')).toBe('%%track\nx = 1');
    expect(withTrackMagic('%%track --name a\nx = 1')).toBe(
      '%%track --name a\nx = 1'
    );
    expect(withTrackMagic('')).toBe('%%track\n');
  });

  it('reads key=value tags', () => {
    expect(parseTag('stage=prod')).toEqual(['stage', 'prod']);
    expect(parseTag(' note = a=b ')).toEqual(['note', 'a=b']);
    expect(parseTag('novalue')).toBeNull();
    expect(parseTag('=x')).toBeNull();
  });

  it('compares Python and npm spellings of one version', () => {
    expect(sameVersion('0.1.0', '0.1.0')).toBe(true);
    expect(sameVersion('0.2.0.dev1', '0.2.0-dev.1')).toBe(true);
    expect(sameVersion('0.1.0', '0.1.1')).toBe(false);
  });

  it('sends only edited params, keeping their types', () => {
    const original = { lr: 0.1, opt: 'adam', layers: 3, flags: [1, 2] };
    expect(
      changedParams(original, {
        lr: '0.01',
        opt: 'adam',
        layers: '3',
        flags: '[1, 2]'
      })
    ).toEqual({ lr: 0.01 });
    expect(changedParams(original, { opt: '0.5', layers: 'four' })).toEqual({
      opt: '0.5',
      layers: 'four'
    });
  });

  it('places numbers and categories on parallel axes between 0 and 1', () => {
    const runs = [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' }
    ];
    const rows = parallelRows(runs, [
      { label: 'lr', values: { a: 0.1, b: 0.3, c: 0.2 } },
      { label: 'opt', values: { a: 'sgd', b: 'adam', c: 'sgd' } },
      { label: 'metrics.acc', values: { a: 0.5, b: 0.5 } }
    ]);
    const at = (id: string, axis: string) =>
      rows.find(r => r.id === id && r.axis === axis)?.position;
    expect(at('a', 'lr')).toBe(0);
    expect(at('b', 'lr')).toBe(1);
    expect(at('c', 'lr')).toBeCloseTo(0.5);
    expect(at('b', 'opt')).toBe(0);
    expect(at('a', 'opt')).toBe(1);
    expect(at('a', 'metrics.acc')).toBe(0.5);
    expect(at('c', 'metrics.acc')).toBeNull();
    expect(
      parallelTicks(runs, [
        { label: 'lr', values: { a: 0.1, b: 0.3 } },
        { label: 'opt', values: { a: 'sgd', b: 'adam' } }
      ])
    ).toEqual([
      { axis: 'lr', position: 0, label: '0.1' },
      { axis: 'lr', position: 1, label: '0.3' },
      { axis: 'opt', position: 0, label: 'adam' },
      { axis: 'opt', position: 1, label: 'sgd' }
    ]);
  });

  it('puts params spanning decades on a log axis, and brushes to keep runs', () => {
    const runs = [
      { id: 'a', label: 'A', colour: '#111111' },
      { id: 'b', label: 'B', colour: '#222222' },
      { id: 'c', label: 'C', colour: '#333333' }
    ];
    const axes = [
      { label: 'lr', values: { a: 1e-4, b: 1e-2, c: 1e-3 } },
      { label: 'epochs', values: { a: 10, b: 20, c: 30 } },
      { label: 'scale', values: { a: 0, b: 1000, c: 1 } }
    ];
    const rows = parallelRows(runs, axes);
    const at = (id: string, axis: string) =>
      rows.find(r => r.id === id && r.axis === axis)?.position;
    expect(at('c', 'lr')).toBeCloseTo(0.5); // 1e-3 halfway between 1e-4 and 1e-2
    expect(at('b', 'epochs')).toBeCloseTo(0.5);
    expect(at('c', 'scale')).toBeCloseTo(0.001); // a zero keeps the axis linear
    expect(axisTitles(runs, axes).map(t => t.label)).toEqual([
      'lr (log)',
      'epochs',
      'scale'
    ]);
    expect(
      parallelTicks(runs, [axes[0]!]).map(t => [t.label, t.position])
    ).toEqual([
      ['0.0001', 0],
      ['0.001', 0.5],
      ['0.01', 1]
    ]);
    const spec = parallelSpec(runs, axes) as unknown as {
      layer: {
        params?: { name: string; select: { type: string } }[];
        encoding: {
          opacity?: { condition: { test: string } };
          color?: { scale?: { range: string[] } };
        };
      }[];
    };
    const brushed = spec.layer.find(l => l.params);
    expect(brushed?.params?.[0]).toMatchObject({
      name: 'brush',
      select: { type: 'interval' }
    });
    const lines = spec.layer.find(l => l.encoding.opacity);
    expect(lines?.encoding.opacity?.condition.test).toBe('datum.kept');
    expect(lines?.encoding.color?.scale?.range).toEqual([
      '#111111',
      '#222222',
      '#333333'
    ]);
  });

  it('formats numbers and durations for the table', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-∞');
    expect(formatDuration(0.25)).toBe('250ms');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(null)).toBe('–');
  });

  it('lays out the runs table: name, params, metrics and tags in groups, then times', () => {
    const cols = tableColumns({
      params: ['opt'],
      metrics: ['val loss'],
      tags: ['stage']
    });
    expect(cols.map(c => c.field)).toEqual([
      'name',
      'params.opt',
      'metrics.`val loss`',
      'tags.stage',
      'started_at',
      'duration'
    ]);
    expect(columnGroups(cols).map(g => [g.label, g.span])).toEqual([
      ['', 1],
      ['Params', 1],
      ['Metrics', 1],
      ['Tags', 1],
      ['', 2]
    ]);
    const shown = run('r1', 'finished', {
      metrics: { 'val loss': 0.123456789 },
      params: { opt: 'adam' },
      tags: { stage: 'prod' }
    });
    expect(cols.map(c => c.render(shown)).slice(1)).toEqual([
      'adam',
      '0.123457',
      'prod',
      expect.any(String),
      '1.0s'
    ]);
    expect(cols[2]!.render(run('r2', 'finished', { metrics: {} }))).toBe('');
  });

  it('tells apart runs of one name by the params that differ, else by id', () => {
    const runs = [
      run('aaaaaaaaa11111', 'finished', {
        name: 'train',
        params: { lr: 0.1, opt: 'adam' }
      }),
      run('aaaaaaaaa22222', 'finished', {
        name: 'train',
        params: { lr: 0.2, opt: 'adam' }
      }),
      run('bbbbbbbbb33333', 'finished', { name: 'same', params: {} }),
      run('bbbbbbbbb44444', 'finished', { name: 'same', params: {} }),
      run('ccccccccc55555', 'finished', { name: 'alone' })
    ];
    const suffixes = nameSuffixes(runs);
    expect(suffixes.get('aaaaaaaaa11111')).toBe('lr=0.1');
    expect(suffixes.get('aaaaaaaaa22222')).toBe('lr=0.2');
    expect(suffixes.get('bbbbbbbbb33333')).toBe('#33333');
    expect(suffixes.get('ccccccccc55555')).toBeUndefined();
  });

  it('offers no internal tags or system metrics as columns', () => {
    const shown = run('r', 'finished', {
      tags: { 'mlops.snapshot': 'x', stage: 'prod' }
    });
    expect(availableColumns([shown])).toEqual({
      params: ['batch', 'lr', 'opt', 'seed'],
      metrics: ['acc', 'loss'],
      tags: ['stage']
    });
    expect(
      sortedMetric({ field: 'metrics.`val loss`', descending: true })
    ).toBe('val loss');
    expect(defaultColumns([shown], null, 3)).toEqual({
      params: [],
      metrics: ['acc'],
      tags: []
    });
  });

  it('names a run by its name and the end of its id', () => {
    expect(runLabel({ name: 'baseline', id: '20260101-abcdef123456' })).toBe(
      'baseline (123456)'
    );
  });
});
