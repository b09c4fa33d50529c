import { describe, expect, it } from 'vitest';

import { ApiError, decodeNumber } from '../src/api';
import { fakeApi, json } from './fakeServer';

const RUN = {
  id: 'r1',
  name: 'first',
  experiment: 'default',
  status: 'finished',
  parent_id: null,
  started_at: 100,
  ended_at: 110,
  duration: 10,
  params: { lr: 0.1 },
  metrics: { loss: 0.5, odd: 'NaN', big: 'Infinity', low: '-Infinity' },
  tags: {},
  note: '',
  notebook_path: null,
  source: 'cell',
  error: null,
  outputs: {},
  host: 'h',
  pid: 1
};

describe('MlopsApi', () => {
  it('sends the token and every query argument of GET runs', async () => {
    const { api, requests } = fakeApi(() =>
      json({ runs: [RUN], total: 1, store: '/root/.mlops' })
    );
    const page = await api.runs({
      path: 'project/notebooks',
      experiment: 'churn',
      filter: "params.opt = 'adam'",
      orderBy: 'metrics.acc desc',
      limit: 25,
      offset: 50
    });
    expect(page.total).toBe(1);
    const request = requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.url.pathname).toBe('/lab%20base/mlops/api/runs');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({
      path: 'project/notebooks',
      experiment: 'churn',
      filter: "params.opt = 'adam'",
      order_by: 'metrics.acc desc',
      limit: '25',
      offset: '50'
    });
    expect(request.headers.get('Authorization')).toBe('token secret-token');
  });

  it('leaves out empty query arguments', async () => {
    const { api, requests } = fakeApi(() =>
      json({ runs: [], total: 0, store: 's' })
    );
    await api.runs({ path: '', filter: '' });
    expect([...requests[0]!.url.searchParams.keys()]).toEqual([]);
  });

  it('turns non-finite metric values back into numbers', async () => {
    const { api } = fakeApi(() => json({ runs: [RUN], total: 1, store: 's' }));
    const [run] = (await api.runs()).runs;
    expect(run!.metrics['loss']).toBe(0.5);
    expect(run!.metrics['odd']).toBeNaN();
    expect(run!.metrics['big']).toBe(Infinity);
    expect(run!.metrics['low']).toBe(-Infinity);
  });

  it('escapes run ids, metric keys and artifact names as single path parts', async () => {
    const { api, requests } = fakeApi(request =>
      request.url.pathname.includes('/metrics/')
        ? json({
            run_id: 'r1',
            key: 'system/cpu',
            steps: [0, 1],
            values: [1, 'NaN'],
            timestamps: [0, 1],
            total_points: 2,
            downsampled: false
          })
        : new Response('bytes', { status: 200 })
    );
    const series = await api.metric('r1', 'system/cpu', 'p', 500);
    expect(series.values[0]).toBe(1);
    expect(series.values[1]).toBeNaN();
    expect(requests[0]!.url.pathname).toBe(
      '/lab%20base/mlops/api/runs/r1/metrics/system%2Fcpu'
    );
    expect(requests[0]!.url.searchParams.get('max_points')).toBe('500');
    const blob = await api.artifact('r1', '../etc/passwd', 'p');
    expect(await blob.text()).toBe('bytes');
    expect(requests[1]!.url.pathname).toBe(
      '/lab%20base/mlops/api/runs/r1/artifacts/..%2Fetc%2Fpasswd'
    );
    const refused = await api
      .artifact('r1', '..', 'p')
      .catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('invalid_input');
    expect(requests).toHaveLength(2);
  });

  it('sends changes, deletions and re-runs with the right methods and bodies', async () => {
    const { api, requests } = fakeApi(request => {
      if (request.method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      if (request.url.pathname.endsWith('/rerun')) {
        return json({ run_id: 'r2' }, 202);
      }
      return json({ ...RUN, name: 'renamed' });
    });
    const updated = await api.updateRun('r1', {
      name: 'renamed',
      tags: { a: 'b' }
    });
    expect(updated.name).toBe('renamed');
    await api.deleteRun('r1', 'sub');
    expect(await api.rerun('r1', { lr: 0.01 }, 'sub')).toBe('r2');
    expect(requests.map(r => r.method)).toEqual(['PATCH', 'DELETE', 'POST']);
    expect(JSON.parse(requests[0]!.body)).toEqual({
      name: 'renamed',
      tags: { a: 'b' }
    });
    expect(JSON.parse(requests[2]!.body)).toEqual({ params: { lr: 0.01 } });
    expect(requests[2]!.url.searchParams.get('path')).toBe('sub');
  });

  it('raises ApiError with the code, detail and filter position of an error reply', async () => {
    const { api } = fakeApi(() =>
      json(
        {
          error: 'invalid_filter',
          detail: 'expected a value at position 13',
          position: 13,
          reason: 'expected a value',
          parameter: 'filter'
        },
        400
      )
    );
    const error = await api
      .runs({ filter: 'metrics.acc >> 1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('invalid_filter');
    expect(apiError.detail).toBe('expected a value at position 13');
    expect(apiError.position).toBe(13);
    expect(apiError.parameter).toBe('filter');
  });

  it('explains a 404 without a JSON body as a missing server extension', async () => {
    const { api } = fakeApi(
      () => new Response('<html>404</html>', { status: 404 })
    );
    const error = (await api.info().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('extension_missing');
    expect(error.detail).toContain('jupyter server extension list');
  });

  it('reports an unreachable server as a network error', async () => {
    const { api } = fakeApi(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = (await api
      .experiments()
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('network_error');
    expect(error.status).toBe(0);
  });

  it('decodes the compare view and its metric rows', async () => {
    const { api, requests } = fakeApi(() =>
      json({
        runs: [RUN, { ...RUN, id: 'r2' }],
        params: [{ key: 'lr', values: { r1: 0.1, r2: 0.2 }, differs: true }],
        metrics: [
          { key: 'loss', values: { r1: 'NaN', r2: 0.3 }, differs: true }
        ],
        metric_keys: ['loss'],
        cell_diff: null
      })
    );
    const result = await api.compare(['r1', 'r2']);
    expect(requests[0]!.url.searchParams.get('ids')).toBe('r1,r2');
    expect(result.metrics[0]!.values['r1']).toBeNaN();
    expect(result.metrics[0]!.values['r2']).toBe(0.3);
  });
});

describe('decodeNumber', () => {
  it('reads the three texts the server uses for non-finite numbers', () => {
    expect(decodeNumber('NaN')).toBeNaN();
    expect(decodeNumber('Infinity')).toBe(Infinity);
    expect(decodeNumber('-Infinity')).toBe(-Infinity);
    expect(decodeNumber(2.5)).toBe(2.5);
  });
});
