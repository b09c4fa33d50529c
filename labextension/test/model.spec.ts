import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { fieldName, RunsModel } from '../src/model';
import { readView, viewKey } from '../src/viewMemory';
import { IRun } from '../src/payloads';
import { fakeApi, IRecorded, json } from './fakeServer';
import { run } from './fixtures';

/** A server whose runs the test changes between requests. */
function server(
  runs: () => IRun[],
  onRuns?: (request: IRecorded) => Response | null
) {
  return fakeApi(request => {
    if (request.url.pathname.endsWith('/experiments')) {
      return json({ experiments: ['default', 'other'] });
    }
    const custom = onRuns?.(request);
    if (custom) {
      return custom;
    }
    const all = runs();
    return json({ runs: all, total: all.length + 100, store: '/root/.mlops' });
  });
}

/**
 * A view memory whose reads answer only when the test says (`slow.get(key)!()`), and which
 * keeps what was written.
 */
function slowMemory(views: Record<string, unknown>) {
  const slow = new Map<string, () => void>();
  const written: [string, unknown][] = [];
  const memory = {
    recall: (key: string) =>
      new Promise<ReturnType<typeof readView>>(resolve => {
        slow.set(key, () => {
          resolve(readView(views[key]));
        });
      }),
    remember: (key: string, view: unknown) => {
      written.push([key, JSON.parse(JSON.stringify(view))]);
      return Promise.resolve();
    }
  };
  return { memory, slow, written };
}

function runRequests(requests: IRecorded[]): IRecorded[] {
  return requests.filter(r => r.url.pathname.endsWith('/runs'));
}

describe('RunsModel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads runs, experiments and picks the params that vary and one metric', async () => {
    const { api } = server(() => [
      run('a'),
      run('b', 'finished', {
        params: { lr: 0.2, opt: 'adam', batch: 64, seed: 1 },
        metrics: { loss: 0.2 }
      })
    ]);
    const model = new RunsModel({ api, autoColumns: 2 });
    let changes = 0;
    model.stateChanged.connect(() => {
      changes++;
    });
    await model.refresh();
    expect(model.state.runs.map(r => r.id)).toEqual(['a', 'b']);
    expect(model.state.total).toBe(102);
    expect(model.state.experiments).toEqual(['default', 'other']);
    expect(model.state.store).toBe('/root/.mlops');
    expect(model.state.available).toEqual({
      params: ['batch', 'lr', 'opt', 'seed'],
      metrics: ['acc', 'loss'],
      tags: []
    });
    // opt and seed are the same in both runs; loss is the metric both have
    expect(model.state.columns).toEqual({
      params: ['batch', 'lr'],
      metrics: ['loss'],
      tags: []
    });
    await model.sortBy('metrics.acc');
    expect(model.state.columns.metrics).toEqual(['acc']);
    expect(changes).toBeGreaterThan(0);
  });

  it('keeps the columns the user chose', async () => {
    const { api } = server(() => [run('a')]);
    const model = new RunsModel({ api, autoColumns: 1 });
    await model.refresh();
    model.toggleColumn('params', 'seed');
    model.toggleColumn('metrics', 'acc');
    await model.refresh();
    expect(model.state.columns).toEqual({
      params: ['seed'],
      metrics: [],
      tags: []
    });
    model.resetColumns();
    expect(model.state.columnsChosen).toBe(false);
    expect(model.state.columns.metrics).toEqual(['acc']);
  });

  it('remembers columns, sort and filter per experiment', async () => {
    const { api } = server(() => [run('a')]);
    const saved = new Map<string, unknown>();
    const memory = {
      recall: (key: string) => Promise.resolve(readView(saved.get(key))),
      remember: (key: string, view: unknown) => {
        saved.set(key, JSON.parse(JSON.stringify(view)));
        return Promise.resolve();
      }
    };
    const model = new RunsModel({ api, memory });
    await model.setExperiment('default');
    model.toggleColumn('tags', 'stage');
    await model.sortBy('metrics.acc');
    await model.setFilter('params.lr > 0');
    await model.setExperiment('other');
    expect(model.state.filter).toBe('');
    expect(model.state.sort).toBeNull();
    expect(model.state.columnsChosen).toBe(false);
    await model.setExperiment('default');
    expect(model.state.filter).toBe('params.lr > 0');
    expect(model.state.sort).toEqual({
      field: 'metrics.acc',
      descending: true
    });
    expect(model.state.columns.tags).toEqual(['stage']);
    // a value that is not a saved view is ignored
    saved.set(viewKey('', 'other'), { sort: 'metrics.acc', columns: [1] });
    await model.setExperiment('other');
    expect(model.state.sort).toBeNull();
    expect(model.state.columnsChosen).toBe(false);
  });

  it('asks for the first page with the remembered view, not the defaults', async () => {
    const { api, requests } = server(() => [run('a')]);
    const saved = new Map<string, unknown>([
      [
        viewKey('', ''),
        {
          filter: 'params.lr > 0',
          sort: { field: 'metrics.acc', descending: true },
          columns: null
        }
      ]
    ]);
    const memory = {
      recall: (key: string) => Promise.resolve(readView(saved.get(key))),
      remember: () => Promise.resolve()
    };
    const model = new RunsModel({ api, memory });
    await model.refresh();
    const first = runRequests(requests);
    expect(first).toHaveLength(1);
    expect(first[0]!.url.searchParams.get('filter')).toBe('params.lr > 0');
    expect(first[0]!.url.searchParams.get('order_by')).toBe('metrics.acc desc');
    expect(model.state.filter).toBe('params.lr > 0');
  });

  it('drops a remembered view that answers after another was asked for or chosen', async () => {
    const { api } = server(() => [run('a')]);
    const { memory, slow, written } = slowMemory({
      [viewKey('', 'default')]: { filter: 'status = "failed"', sort: null },
      [viewKey('', 'other')]: { filter: 'params.lr > 0', sort: null }
    });
    const model = new RunsModel({ api, memory });
    // 'default' is picked, then 'other' before the first answer came
    const first = model.setExperiment('default');
    const second = model.setExperiment('other');
    slow.get(viewKey('', 'other'))!();
    await second;
    slow.get(viewKey('', 'default'))!();
    await first;
    expect(model.state.experiment).toBe('other');
    expect(model.state.filter).toBe('params.lr > 0');

    // the user sorts while this experiment's view is still being read: the sort goes on
    // top of the view read, and is saved with that view's filter, not the last one's
    const third = model.setExperiment('default');
    const sorting = model.sortBy('params.lr');
    slow.get(viewKey('', 'default'))!();
    await Promise.all([third, sorting]);
    expect(model.state.filter).toBe('status = "failed"');
    expect(model.state.sort).toEqual({ field: 'params.lr', descending: false });
    expect(written.at(-1)).toEqual([
      viewKey('', 'default'),
      {
        filter: 'status = "failed"',
        sort: { field: 'params.lr', descending: false },
        columns: null
      }
    ]);
  });

  it('never saves a change asked for one experiment under the next one', async () => {
    const { api } = server(() => [run('a')]);
    const { memory, slow, written } = slowMemory({
      [viewKey('', 'other')]: {
        filter: 'params.lr > 0',
        sort: { field: 'metrics.acc', descending: true },
        columns: { params: ['lr'], metrics: ['acc'], tags: [] }
      }
    });
    const model = new RunsModel({ api, memory });
    // a filter, a sort and a column asked for 'default' while its view is read; the user
    // switches to 'other' before that read answers
    const first = model.setExperiment('default');
    const filtering = model.setFilter('');
    const sorting = model.sortBy('params.lr');
    model.toggleColumn('tags', 'stage');
    model.resetColumns();
    const second = model.setExperiment('other');
    slow.get(viewKey('', 'default'))!();
    slow.get(viewKey('', 'other'))!();
    await Promise.all([first, filtering, sorting, second]);
    await Promise.resolve();
    expect(written.filter(([key]) => key === viewKey('', 'other'))).toEqual([]);
    expect(model.state.filter).toBe('params.lr > 0');
    expect(model.state.sort).toEqual({
      field: 'metrics.acc',
      descending: true
    });
    expect(model.state.columns.tags).toEqual([]);
  });

  it('nests child runs under their parent unless a filter is typed', async () => {
    const parent = run('p', 'finished', { children: 2 });
    const kids = [
      run('c1', 'finished', { parent_id: 'p' }),
      run('c2', 'running', { parent_id: 'p' })
    ];
    const { api, requests } = server(
      () => [parent],
      request =>
        request.url.searchParams.get('parent') === 'p'
          ? json({ runs: kids, total: 2, store: '' })
          : null
    );
    const model = new RunsModel({ api });
    await model.refresh();
    expect(runRequests(requests).at(-1)!.url.searchParams.get('nested')).toBe(
      '1'
    );
    await model.toggleExpanded('p');
    expect(model.state.children['p']!.runs.map(r => r.id)).toEqual([
      'c1',
      'c2'
    ]);
    expect(model.childCount('p')).toBe(2);
    await model.refresh(); // expanded parents stay expanded, their children reloaded
    expect(model.state.expanded).toEqual(['p']);
    expect(runRequests(requests).at(-1)!.url.searchParams.get('parent')).toBe(
      'p'
    );
    await model.setFilter("status = 'running'");
    expect(model.nested).toBe(false);
    expect(model.state.expanded).toEqual([]);
    expect(
      runRequests(requests).at(-1)!.url.searchParams.get('nested')
    ).toBeNull();
  });

  it('asks for the store of the active notebook’s folder, from the first page', async () => {
    const { api, requests } = server(() => [run('a')]);
    const model = new RunsModel({ api });
    model.setVisible(true);
    await vi.runOnlyPendingTimersAsync();
    await model.setPage(100);
    await model.setPath('project/nb');
    const last = runRequests(requests).at(-1)!;
    expect(last.url.searchParams.get('path')).toBe('project/nb');
    expect(last.url.searchParams.get('offset')).toBe('0');
    expect(model.state.path).toBe('project/nb');
  });

  it('does not fetch for a new folder while hidden, and catches up when shown', async () => {
    const { api, requests } = server(() => [run('a')]);
    const model = new RunsModel({ api });
    await model.setPath('elsewhere');
    expect(requests).toHaveLength(0);
    model.setVisible(true);
    await vi.runOnlyPendingTimersAsync();
    expect(runRequests(requests)[0]!.url.searchParams.get('path')).toBe(
      'elsewhere'
    );
  });

  it('sorts by a column, flipping the direction on a second click', async () => {
    const { api, requests } = server(() => [run('a')]);
    const model = new RunsModel({ api });
    await model.sortBy(fieldName('params', 'lr'));
    expect(runRequests(requests).at(-1)!.url.searchParams.get('order_by')).toBe(
      'params.lr asc'
    );
    await model.sortBy('params.lr');
    expect(runRequests(requests).at(-1)!.url.searchParams.get('order_by')).toBe(
      'params.lr desc'
    );
    await model.sortBy('metrics.acc');
    expect(model.state.sort).toEqual({
      field: 'metrics.acc',
      descending: true
    });
  });

  it('quotes odd keys for the filter language', () => {
    expect(fieldName('params', 'lr')).toBe('params.lr');
    expect(fieldName('metrics', 'val loss')).toBe('metrics.`val loss`');
    expect(fieldName('metrics', 'system/cpu')).toBe('metrics.`system/cpu`');
  });

  it('pages forward and back within the total', async () => {
    const { api, requests } = server(() => [run('a')]);
    const model = new RunsModel({ api, limit: 50 });
    await model.refresh();
    await model.nextPage();
    expect(model.state.offset).toBe(50);
    await model.nextPage();
    await model.nextPage();
    expect(model.state.offset).toBe(100);
    await model.previousPage();
    expect(model.state.offset).toBe(50);
    expect(runRequests(requests).at(-1)!.url.searchParams.get('offset')).toBe(
      '50'
    );
  });

  it('shows a bad filter inline and keeps the last good runs', async () => {
    const { api } = server(
      () => [run('a')],
      request =>
        request.url.searchParams.get('filter') === 'acc >'
          ? json(
              {
                error: 'invalid_filter',
                detail: 'bad',
                position: 4,
                reason: 'expected a value',
                parameter: 'filter'
              },
              400
            )
          : null
    );
    const model = new RunsModel({ api });
    await model.refresh();
    await model.setFilter('acc >');
    expect(model.state.filterError?.position).toBe(4);
    expect(model.state.error).toBeNull();
    expect(model.state.runs.map(r => r.id)).toEqual(['a']);
    await model.setFilter('');
    expect(model.state.filterError).toBeNull();
  });

  it('explains a store that cannot be opened instead of listing nothing', async () => {
    const { api } = server(
      () => [],
      () =>
        json(
          { error: 'store_unavailable', detail: 'cannot open the store at /x' },
          503
        )
    );
    const model = new RunsModel({ api });
    await model.refresh();
    expect(model.state.error?.code).toBe('store_unavailable');
    expect(model.state.error?.detail).toBe('cannot open the store at /x');
  });

  it('refreshes while the panel is visible, so new runs show up by themselves', async () => {
    let runs = [run('b')];
    const { api, requests } = server(() => runs);
    const model = new RunsModel({ api, pollInterval: 1000 });
    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(runRequests(requests)).toHaveLength(1);
    expect(model.isPolling).toBe(true); // nothing is running, yet a run may start any time
    runs = [run('a', 'running'), run('b')];
    await vi.advanceTimersByTimeAsync(1000);
    expect(runRequests(requests)).toHaveLength(2);
    expect(model.state.runs.map(r => r.id)).toEqual(['a', 'b']);

    model.setVisible(false);
    expect(model.isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runRequests(requests)).toHaveLength(2);

    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(runRequests(requests)).toHaveLength(3); // caught up at once when shown
    runs = [run('a'), run('b')];
    await vi.advanceTimersByTimeAsync(1000);
    expect(model.state.runs[0]!.status).toBe('finished');
    model.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runRequests(requests)).toHaveLength(4);
  });

  it('a poll that brings nothing new changes nothing on screen, nor the selection', async () => {
    const { api } = server(() => [run('a'), run('b')]);
    const model = new RunsModel({ api, pollInterval: 1000 });
    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    model.toggleSelected('b');
    const state = model.state;
    let changes = 0;
    model.stateChanged.connect(() => {
      changes++;
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(changes).toBe(0); // no loading flash, no render: scroll and editors stay put
    expect(model.state).toBe(state);
    expect([...model.selected]).toEqual(['b']);
    model.dispose();
  });

  it('backs off while the server fails and recovers by itself', async () => {
    let failing = true;
    const { api, requests } = server(
      () => [run('a')],
      () =>
        failing
          ? json({ error: 'store_unavailable', detail: 'store gone' }, 503)
          : null
    );
    const model = new RunsModel({ api, pollInterval: 1000 });
    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(model.state.error?.code).toBe('store_unavailable');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runRequests(requests).length).toBeLessThan(20);
    failing = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(model.state.error).toBeNull();
    expect(model.state.runs.map(r => r.id)).toEqual(['a']);
    model.dispose();
  });

  it('follows the active notebook until a store is picked, and again when asked', async () => {
    const { api, requests } = server(() => [run('a')]);
    const model = new RunsModel({ api });
    model.setVisible(true);
    await model.followNotebook('project/nb');
    expect(model.state.path).toBe('project/nb');
    await model.pickStore('');
    expect(model.state.path).toBe('');
    expect(model.pinned).toBe(true);
    await model.followNotebook('elsewhere'); // another notebook: the picked store stays
    expect(model.state.path).toBe('');
    expect(model.notebookPath).toBe('elsewhere');
    await model.pickStore(null);
    expect(model.state.path).toBe('elsewhere');
    expect(model.pinned).toBe(false);
    const paths = runRequests(requests).map(r =>
      r.url.searchParams.get('path')
    );
    expect(paths).toContain('elsewhere');
    model.dispose();
  });

  it('tracks the selection and clears it for another folder', async () => {
    const { api } = server(() => [run('a'), run('b')]);
    const model = new RunsModel({ api });
    const seen: string[][] = [];
    model.selectionChanged.connect((_, ids) => seen.push([...ids]));
    model.toggleSelected('a');
    model.toggleSelected('b');
    model.toggleSelected('a');
    expect([...model.selected]).toEqual(['b']);
    await model.setPath('other');
    expect(model.selected.size).toBe(0);
    expect(seen).toEqual([['a'], ['a', 'b'], ['b'], []]);
  });
});
