import { describe, expect, it } from 'vitest';

import {
  CompareModel,
  defaultMetric,
  MAX_PANELS,
  runColours
} from '../src/compareModel';
import { RUN_COLOURS } from '../src/metricSpecs';
import { ICellDiff, ICompareResult } from '../src/payloads';
import { fakeApi, IRecorded, json } from './fakeServer';
import { run, series } from './fixtures';

function cellDiff(a: string, b: string): ICellDiff {
  return {
    a,
    b,
    missing: [],
    cells: [
      {
        status: 'changed',
        cell_type: 'code',
        index_a: 0,
        index_b: 0,
        lines: [
          { op: '-', text: `lr = ${a}` },
          { op: '+', text: `lr = ${b}` }
        ]
      }
    ]
  };
}

function comparison(ids: string[]): ICompareResult {
  return {
    runs: ids.map(id => run(id)),
    params: [],
    metrics: [],
    metric_keys: ['system/cpu', 'acc', 'loss'],
    // as the server does: the cells are diffed only when two runs are compared
    cell_diff: ids.length === 2 ? cellDiff(ids[0]!, ids[1]!) : null
  };
}

/** A server of three runs, `c` without the metric `loss`. */
function server(fail?: (request: IRecorded) => Response | null) {
  return fakeApi(request => {
    const failure = fail?.(request);
    if (failure) {
      return failure;
    }
    const path = request.url.pathname;
    if (path.endsWith('/compare')) {
      return json(comparison(request.url.searchParams.get('ids')!.split(',')));
    }
    const metric = /\/runs\/([^/]+)\/metrics\/(.+)$/.exec(path);
    if (metric) {
      const [, id, key] = metric.map(decodeURIComponent);
      if (id === 'c' && key === 'loss') {
        return json(
          { error: 'metric_not_found', detail: 'run c has no metric loss' },
          404
        );
      }
      return json(series(id!, key!, [id === 'a' ? 1 : 2, 0.5]));
    }
    return json({ error: 'not_found', detail: path }, 404);
  });
}

function compares(requests: IRecorded[]): string[] {
  return requests
    .filter(r => r.url.pathname.endsWith('/compare'))
    .map(r => r.url.searchParams.get('ids')!);
}

describe('CompareModel', () => {
  it('starts from the first metric that is not a system metric', () => {
    expect(defaultMetric(['system/cpu', 'acc', 'loss'])).toBe('acc');
    expect(defaultMetric(['system/cpu'])).toBe('system/cpu');
    expect(defaultMetric([])).toBe('');
  });

  it('loads the comparison and each run’s history of the first metric', async () => {
    const { api, requests } = server();
    const model = new CompareModel({ api, path: 'nb', ids: ['a', 'b', 'c'] });
    await model.load();
    const { result, metrics, series: loaded, pair, diff } = model.state;
    expect(result?.runs.map(r => r.id)).toEqual(['a', 'b', 'c']);
    expect(metrics).toEqual(['acc']);
    expect(loaded.acc?.map(s => [s.run.id, s.series.values[0]])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2]
    ]);
    expect(pair).toEqual(['a', 'b']);
    // the first two runs' cells, asked for since a comparison of three has no cell diff
    expect(diff?.cells[0]!.lines[1]!.text).toBe('lr = b');
    expect(compares(requests)).toEqual(['a,b,c', 'a,b']);
    expect(requests.every(r => r.url.searchParams.get('path') === 'nb')).toBe(
      true
    );
  });

  it('leaves out a run that did not log the chosen metric', async () => {
    const { api } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b', 'c'] });
    await model.load();
    const loading = model.setMetrics(['acc', 'loss']);
    expect(model.state.series.loss).toBeUndefined(); // no lines of another metric in its panel
    await loading;
    expect(model.state.metrics).toEqual(['acc', 'loss']);
    expect(model.state.series.loss?.map(s => s.run.id)).toEqual(['a', 'b']);
    expect(model.state.series.acc?.map(s => s.run.id)).toEqual(['a', 'b', 'c']);
    expect(model.state.seriesErrors).toEqual({});
  });

  it('shows several metric panels, each fetched once, at most MAX_PANELS, known metrics only', async () => {
    const { api, requests } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b'] });
    await model.load();
    const fetched = () =>
      requests.filter(r => r.url.pathname.includes('/metrics/')).length;
    expect(fetched()).toBe(2);
    await model.setMetrics(['acc', 'loss', 'nosuch', 'acc']);
    expect(model.state.metrics).toEqual(['acc', 'loss']);
    expect(fetched()).toBe(4); // acc was already there
    await model.setMetrics(['loss']);
    expect(model.state.metrics).toEqual(['loss']);
    expect(fetched()).toBe(4);
    const many = Array.from({ length: MAX_PANELS + 2 }, () => 'loss');
    await model.setMetrics([...many, 'acc', 'system/cpu']);
    expect(model.state.metrics.length).toBeLessThanOrEqual(MAX_PANELS);
  });

  it('asks the server again with the user’s direction of a metric, and back', async () => {
    const { api, requests } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b'] });
    await model.load();
    await model.setDirection('acc', 'min');
    const last = () =>
      requests.filter(r => r.url.pathname.endsWith('/compare')).at(-1)!;
    expect(last().url.searchParams.get('lower')).toBe('acc');
    expect(last().url.searchParams.get('higher')).toBeNull();
    expect(model.state.overrides).toEqual({ acc: 'min' });
    expect(model.state.diff?.b).toBe('b'); // the cell diff shown stays
    await model.setDirection('acc', null);
    expect(last().url.searchParams.get('lower')).toBeNull();
    expect(model.state.overrides).toEqual({});
  });

  it('colours each run as the server says, else from the palette in order', () => {
    const result = comparison(['a', 'b']);
    expect(runColours(result)).toEqual({
      a: RUN_COLOURS[0],
      b: RUN_COLOURS[1]
    });
    expect(
      runColours({ ...result, colours: { a: '#123456', b: '#abcdef' } })
    ).toEqual({
      a: '#123456',
      b: '#abcdef'
    });
  });

  it('says why the histories cannot be shown', async () => {
    const { api } = server(request =>
      request.url.pathname.includes('/metrics/')
        ? json(
            { error: 'store_unavailable', detail: 'the store is locked' },
            503
          )
        : null
    );
    const model = new CompareModel({ api, path: '', ids: ['a', 'b'] });
    await model.load();
    expect(model.state.result).not.toBeNull();
    expect(model.state.seriesErrors).toEqual({ acc: 'the store is locked' });
  });

  it('diffs the cells of another pair of the runs compared', async () => {
    const { api, requests } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b', 'c'] });
    await model.load();
    await model.setPair('a', 'c');
    expect(model.state.pair).toEqual(['a', 'c']);
    expect(model.state.diff?.b).toBe('c');
    expect(compares(requests)).toEqual(['a,b,c', 'a,b', 'a,c']);

    await model.setPair('c', 'c');
    expect(model.state.diff).toBeNull();
    expect(compares(requests)).toHaveLength(3);
  });

  it('uses the cell diff of a comparison of two runs without asking again', async () => {
    const { api, requests } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b'] });
    await model.load();
    expect(model.state.diff?.b).toBe('b');
    await model.setPair('b', 'a');
    expect(model.state.diff?.b).toBe('a');
    await model.setPair('a', 'b');
    expect(model.state.diff?.b).toBe('b');
    expect(compares(requests)).toEqual(['a,b', 'b,a']);
  });

  it('keeps the shown diff and says why another pair failed', async () => {
    const { api } = server(request =>
      request.url.searchParams.get('ids') === 'b,c'
        ? json(
            { error: 'store_unavailable', detail: 'the store is locked' },
            503
          )
        : null
    );
    const model = new CompareModel({ api, path: '', ids: ['a', 'b', 'c'] });
    await model.load();
    await model.setPair('b', 'c');
    expect(model.state.diffError).toBe('the store is locked');
    expect(model.state.diff?.b).toBe('b');
    await model.setPair('a', 'b');
    expect(model.state.diffError).toBeNull();
  });

  it('reports a comparison that cannot be made', async () => {
    const { api } = server(() =>
      json({ error: 'run_not_found', detail: 'no run zz in the store' }, 404)
    );
    const model = new CompareModel({ api, path: '', ids: ['a', 'zz'] });
    await model.load();
    expect(model.state.result).toBeNull();
    expect(model.state.error?.detail).toBe('no run zz in the store');
  });

  it('ignores answers that arrive after it was disposed', async () => {
    const { api } = server();
    const model = new CompareModel({ api, path: '', ids: ['a', 'b'] });
    const loading = model.load();
    model.dispose();
    await loading;
    expect(model.isDisposed).toBe(true);
    expect(model.state.result).toBeNull();
  });
});
