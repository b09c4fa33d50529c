import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { MlopsApi } from '../src/api';
import { RunDetailModel } from '../src/detailModel';
import { IRunDetail } from '../src/payloads';
import { fakeApi, IRecorded, json } from './fakeServer';
import { runDetail, series } from './fixtures';

const RUN_PATH = '/lab%20base/mlops/api/runs/r1';

/** A server holding one run, which the test changes between requests. */
function server(current: () => IRunDetail | Response) {
  return fakeApi(request => {
    const path = request.url.pathname;
    if (request.method === 'PATCH') {
      const changes = JSON.parse(request.body) as Partial<IRunDetail>;
      const answer = current();
      return answer instanceof Response
        ? answer
        : json({ ...answer, ...changes });
    }
    if (path === RUN_PATH) {
      const answer = current();
      return answer instanceof Response ? answer : json(answer);
    }
    const metric = /\/metrics\/(.+)$/.exec(path);
    if (metric) {
      const key = decodeURIComponent(metric[1]!);
      if (key === 'broken') {
        return json(
          { error: 'store_unavailable', detail: 'the store is locked' },
          503
        );
      }
      return json(series('r1', key, [1, 0.5, 0.25]));
    }
    return json({ error: 'not_found', detail: path }, 404);
  });
}

/** The model of run r1 in the server root's store, refreshed each second while running. */
function polled(api: MlopsApi): RunDetailModel {
  return new RunDetailModel({ api, path: '', runId: 'r1', pollInterval: 1000 });
}

function runLoads(requests: IRecorded[]): IRecorded[] {
  return requests.filter(r => r.url.pathname === RUN_PATH);
}

function metricLoads(requests: IRecorded[]): string[] {
  return requests
    .filter(r => r.url.pathname.includes('/metrics/'))
    .map(r => decodeURIComponent(r.url.pathname.split('/metrics/')[1]!));
}

describe('RunDetailModel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads the run, then the history of each of its metrics', async () => {
    const { api, requests } = server(() => runDetail('r1'));
    const model = new RunDetailModel({
      api,
      path: 'project',
      runId: 'r1',
      chartPoints: 300
    });
    let changes = 0;
    model.stateChanged.connect(() => {
      changes++;
    });
    await model.refresh();
    expect(model.state.run?.name).toBe('run r1');
    expect(model.state.error).toBeNull();
    expect(model.state.revision).toBe(1);
    expect(Object.keys(model.state.series).sort()).toEqual([
      'acc',
      'loss',
      'system/cpu'
    ]);
    expect(model.state.series['loss']!.values).toEqual([1, 0.5, 0.25]);
    expect(metricLoads(requests).sort()).toEqual(['acc', 'loss', 'system/cpu']);
    for (const request of requests) {
      expect(request.url.searchParams.get('path')).toBe('project');
    }
    const metric = requests.find(r => r.url.pathname.endsWith('/loss'))!;
    expect(metric.url.searchParams.get('max_points')).toBe('300');
    expect(changes).toBeGreaterThan(1);
    expect(model.isPolling).toBe(false); // a finished run is not refreshed
  });

  it('says why a metric’s history is missing, beside the other charts', async () => {
    const { api } = server(() =>
      runDetail('r1', 'finished', { metric_keys: ['loss', 'broken'] })
    );
    const model = new RunDetailModel({ api, path: '', runId: 'r1' });
    await model.refresh();
    expect(model.state.seriesErrors).toEqual({ broken: 'the store is locked' });
    expect(Object.keys(model.state.series)).toEqual(['loss']);
  });

  it('refreshes a running run while visible, until it has ended', async () => {
    let status: IRunDetail['status'] = 'running';
    const { api, requests } = server(() => runDetail('r1', status));
    const model = polled(api);
    model.setVisible(true);
    await model.refresh();
    expect(model.isPolling).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runLoads(requests)).toHaveLength(2);
    expect(model.state.revision).toBe(2);
    // the charts follow the run: each metric is fetched again at each refresh
    expect(metricLoads(requests)).toHaveLength(6);

    status = 'finished';
    await vi.advanceTimersByTimeAsync(1000);
    expect(runLoads(requests)).toHaveLength(3);
    expect(model.state.run?.status).toBe('finished');
    expect(model.isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runLoads(requests)).toHaveLength(3);
    model.dispose();
  });

  it('pauses while hidden and catches up as soon as it is shown', async () => {
    const { api, requests } = server(() => runDetail('r1', 'running'));
    const model = polled(api);
    await model.refresh(); // loaded while not yet on screen: no polling
    expect(model.isPolling).toBe(false);
    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(runLoads(requests)).toHaveLength(2);
    expect(model.isPolling).toBe(true);

    model.setVisible(false);
    expect(model.isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runLoads(requests)).toHaveLength(2);

    model.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(runLoads(requests)).toHaveLength(3);
    model.dispose();
  });

  it('stops asking the server once disposed, even mid-request', async () => {
    let release = (): void => undefined;
    const answered = new Promise<void>(resolve => {
      release = resolve;
    });
    let loads = 0;
    const { api, requests } = fakeApi(async request => {
      if (request.url.pathname === RUN_PATH && ++loads === 1) {
        return json(runDetail('r1', 'running', { metric_keys: [] }));
      }
      await answered; // the second load waits until the test lets it answer
      return json(runDetail('r1', 'finished', { name: 'late' }));
    });
    const model = polled(api);
    model.setVisible(true);
    await model.refresh();
    expect(model.isPolling).toBe(true);
    await vi.advanceTimersByTimeAsync(1000); // the next refresh is now waiting on the server
    expect(runLoads(requests)).toHaveLength(2);
    let changes = 0;
    model.stateChanged.connect(() => {
      changes++;
    });
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(model.isPolling).toBe(false);
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(changes).toBe(0);
    expect(model.state.run?.name).toBe('run r1');
    expect(runLoads(requests)).toHaveLength(2);
    await model.refresh(); // a disposed model does nothing
    expect(runLoads(requests)).toHaveLength(2);
  });

  it('keeps the last good run when a refresh fails, and retries less and less often', async () => {
    let answer: IRunDetail | Response = runDetail('r1', 'running');
    const { api, requests } = server(() => answer);
    const model = polled(api);
    model.setVisible(true);
    await model.refresh();
    answer = json(
      { error: 'store_unavailable', detail: 'cannot open the store' },
      503
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(model.state.error?.code).toBe('store_unavailable');
    expect(model.state.run?.id).toBe('r1');
    expect(model.isPolling).toBe(true);
    // after failures the poll backs off: far fewer than one load a second
    await vi.advanceTimersByTimeAsync(60_000);
    const failing = runLoads(requests).length;
    expect(failing).toBeGreaterThan(2);
    expect(failing).toBeLessThan(20);
    answer = runDetail('r1', 'finished');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(model.state.error).toBeNull();
    expect(model.state.run?.status).toBe('finished');
    expect(model.isPolling).toBe(false);
    model.dispose();
  });

  it('reports a run that cannot be loaded', async () => {
    const { api } = server(() =>
      json({ error: 'run_not_found', detail: 'no run r1 in the store' }, 404)
    );
    const model = new RunDetailModel({ api, path: '', runId: 'r1' });
    await model.refresh();
    expect(model.state.run).toBeNull();
    expect(model.state.error?.code).toBe('run_not_found');
    expect(model.state.error?.detail).toBe('no run r1 in the store');
  });

  it('saves a change and tells who listens, without fetching the charts again', async () => {
    let answer: IRunDetail | Response = runDetail('r1');
    const { api, requests } = server(() => answer);
    const model = new RunDetailModel({ api, path: 'p', runId: 'r1' });
    await model.refresh();
    const before = requests.length;
    const changed: string[] = [];
    model.runChanged.connect((_, run) => changed.push(run.name));
    await model.save({ name: 'renamed', tags: { stage: 'prod' } });
    const patch = requests.at(-1)!;
    expect(patch.method).toBe('PATCH');
    expect(patch.url.searchParams.get('path')).toBe('p');
    expect(JSON.parse(patch.body)).toEqual({
      name: 'renamed',
      tags: { stage: 'prod' }
    });
    expect(requests.length).toBe(before + 1);
    expect(model.state.run?.name).toBe('renamed');
    expect(model.state.run?.tags).toEqual({ stage: 'prod' });
    expect(changed).toEqual(['renamed']);

    answer = json({ error: 'invalid_input', detail: 'a name is needed' }, 400);
    await model.save({ name: '' });
    expect(model.state.error?.detail).toBe('a name is needed');
    expect(model.state.run?.name).toBe('renamed');
    expect(changed).toEqual(['renamed']);
  });
});
