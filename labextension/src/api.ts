/**
 * The typed client of the jupyter-mlops REST API (`{base_url}mlops/api/`).
 *
 * Every request carries `path=`, the directory (relative to the server root) whose
 * store is meant. Non-finite numbers arrive as the strings "NaN", "Infinity" and
 * "-Infinity"; metric values are turned back into numbers here.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IArtifact,
  ICompareResult,
  Direction,
  IInfo,
  IMetricSeries,
  IRerunStart,
  IReproduction,
  IRun,
  IRunChanges,
  IRunDetail,
  IRunQuery,
  IRunsPage,
  JSONValue
} from './payloads';

/**
 * An error reply of the API: its HTTP status, a short code (`invalid_filter`,
 * `run_not_found`, `store_unavailable`, ...) and a message saying what to do.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, JSONValue> = {}
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** Where a filter error is, when this is one. */
  get position(): number | null {
    const value = this.extra['position'];
    return typeof value === 'number' ? value : null;
  }

  /** The query argument this error is about (`filter`, `order_by`, `path`, ...). */
  get parameter(): string | null {
    const value = this.extra['parameter'];
    return typeof value === 'string' ? value : null;
  }
}

/** Any failure as an `ApiError`: errors of other kinds become `client_error`s. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError(0, 'client_error', String(error));
}

/** A number sent by the server: finite numbers as they are, others as text. */
export function decodeNumber(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'NaN' || value === null || value === undefined) {
    return NaN;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return Number(value);
}

function decodeMetrics(
  metrics: Record<string, unknown> | undefined
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics ?? {})) {
    out[key] = decodeNumber(value);
  }
  return out;
}

function decodeRun<T extends IRun>(run: T): T {
  return { ...run, metrics: decodeMetrics(run.metrics) };
}

const API_ROOT = 'mlops/api';

/**
 * One path segment, escaped. URLs resolve `.` and `..` segments even when escaped, so
 * they are refused here (no run id, metric key or artifact name is one).
 */
function encodePart(part: string): string {
  if (part === '.' || part === '..') {
    throw new ApiError(
      400,
      'invalid_input',
      `"${part}" is not a run id, metric key or artifact name`
    );
  }
  return encodeURIComponent(part);
}

export class MlopsApi {
  constructor(settings?: ServerConnection.ISettings) {
    this.settings = settings ?? ServerConnection.makeSettings();
  }

  readonly settings: ServerConnection.ISettings;

  /** The URL of a route: path parts are escaped one by one. */
  url(
    parts: string[],
    query: Record<string, string | number | undefined> = {}
  ): string {
    const base = URLExt.join(
      this.settings.baseUrl,
      API_ROOT,
      ...parts.map(encodePart)
    );
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        search.set(key, String(value));
      }
    }
    const text = search.toString();
    return text ? `${base}?${text}` : base;
  }

  async info(path = ''): Promise<IInfo> {
    return this.json<IInfo>(['info'], { path });
  }

  async experiments(path = ''): Promise<string[]> {
    const reply = await this.json<{ experiments: string[] }>(['experiments'], {
      path
    });
    return reply.experiments;
  }

  async runs(query: IRunQuery = {}): Promise<IRunsPage> {
    const page = await this.json<IRunsPage>(['runs'], {
      path: query.path,
      experiment: query.experiment,
      filter: query.filter,
      order_by: query.orderBy,
      limit: query.limit,
      offset: query.offset,
      nested: query.nested ? 1 : undefined,
      parent: query.parent,
      count: query.count
    });
    return { ...page, runs: page.runs.map(run => decodeRun(run)) };
  }

  async run(id: string, path = ''): Promise<IRunDetail> {
    return decodeRun(await this.json<IRunDetail>(['runs', id], { path }));
  }

  async metric(
    id: string,
    key: string,
    path = '',
    maxPoints?: number
  ): Promise<IMetricSeries> {
    const series = await this.json<IMetricSeries>(
      ['runs', id, 'metrics', key],
      {
        path,
        max_points: maxPoints
      }
    );
    return { ...series, values: series.values.map(decodeNumber) };
  }

  /** The notebook as it was when the run was tracked (nbformat JSON). */
  async snapshot(id: string, path = ''): Promise<Record<string, JSONValue>> {
    return this.json<Record<string, JSONValue>>(['runs', id, 'snapshot'], {
      path
    });
  }

  async artifacts(id: string, path = ''): Promise<IArtifact[]> {
    const reply = await this.json<{ artifacts: IArtifact[] }>(
      ['runs', id, 'artifacts'],
      { path }
    );
    return reply.artifacts;
  }

  async artifact(id: string, name: string, path = ''): Promise<Blob> {
    const response = await this.request(['runs', id, 'artifacts', name], {
      path
    });
    return response.blob();
  }

  async updateRun(
    id: string,
    changes: IRunChanges,
    path = ''
  ): Promise<IRunDetail> {
    return decodeRun(
      await this.json<IRunDetail>(
        ['runs', id],
        { path },
        { method: 'PATCH', body: JSON.stringify(changes) }
      )
    );
  }

  async deleteRun(id: string, path = ''): Promise<void> {
    await this.request(['runs', id], { path }, { method: 'DELETE' });
  }

  /**
   * What a re-run of the run starts from: its params, whether it can run at all, and the
   * name a re-run with `changes` gets (`suggested_name`).
   */
  async rerunStart(
    id: string,
    path = '',
    changes?: Record<string, JSONValue>
  ): Promise<IRerunStart> {
    return this.json<IRerunStart>(['runs', id, 'rerun'], {
      path,
      params: changes ? JSON.stringify(changes) : undefined
    });
  }

  /**
   * Start a re-run with some params changed; resolves to the new run's id. Without a
   * `name` the server names the run from the changes.
   */
  async rerun(
    id: string,
    params: Record<string, JSONValue>,
    path = '',
    name?: string
  ): Promise<string> {
    const reply = await this.json<{ run_id: string }>(
      ['runs', id, 'rerun'],
      { path },
      {
        method: 'POST',
        body: JSON.stringify(name ? { params, name } : { params })
      }
    );
    return reply.run_id;
  }

  /** The newest reproduction of the run (verdict `null`: never reproduced). */
  async reproduction(id: string, path = ''): Promise<IReproduction> {
    return this.json<IReproduction>(['runs', id, 'reproduce'], { path });
  }

  /** Start reproducing the run in the background; resolves once the reproduction exists. */
  async reproduce(id: string, path = ''): Promise<IReproduction> {
    return this.json<IReproduction>(
      ['runs', id, 'reproduce'],
      { path },
      { method: 'POST', body: '{}' }
    );
  }

  /** `overrides`: metrics whose better direction is not the one their name says. */
  async compare(
    ids: string[],
    path = '',
    overrides: Readonly<Record<string, Direction>> = {}
  ): Promise<ICompareResult> {
    const named = (direction: Direction): string | undefined =>
      Object.keys(overrides)
        .filter(key => overrides[key] === direction)
        .join(',') || undefined;
    const result = await this.json<ICompareResult>(['compare'], {
      path,
      ids: ids.join(','),
      lower: named('min'),
      higher: named('max')
    });
    return {
      ...result,
      runs: result.runs.map(run => decodeRun(run)),
      metrics: result.metrics.map(row => ({
        ...row,
        values: Object.fromEntries(
          Object.entries(row.values).map(([k, v]) => [k, decodeNumber(v)])
        )
      }))
    };
  }

  /** A JSON reply of a route (the registry and lineage clients build on it). */
  async json<T>(
    parts: string[],
    query: Record<string, string | number | undefined>,
    init: RequestInit = {}
  ): Promise<T> {
    const response = await this.request(parts, query, init);
    return (await response.json()) as T;
  }

  /** A route's reply; a failure is an `ApiError`. */
  async request(
    parts: string[],
    query: Record<string, string | number | undefined>,
    init: RequestInit = {}
  ): Promise<Response> {
    const url = this.url(parts, query);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch (error) {
      throw new ApiError(
        0,
        'network_error',
        `cannot reach the Jupyter server (${error instanceof Error ? error.message : 'network failure'}); ` +
          'check that it is still running'
      );
    }
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: a proxy's or server's HTML page
  }
  if (body && typeof body === 'object' && 'error' in body) {
    const { error, detail, ...extra } = body as Record<string, JSONValue>;
    const code = typeof error === 'string' ? error : `http_${response.status}`;
    return new ApiError(
      response.status,
      code,
      typeof detail === 'string' ? detail : code,
      extra
    );
  }
  if (response.status === 404) {
    return new ApiError(
      404,
      'extension_missing',
      'the jupyter-mlops server extension does not answer: install jupyter-mlops in the ' +
        "server's environment and restart Jupyter (`jupyter server extension list` should show it)"
    );
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    `the server answered ${response.status} ${response.statusText}`
  );
}
