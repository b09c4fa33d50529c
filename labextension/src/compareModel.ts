/**
 * State of a comparison of two or more runs: the server's comparison, the metric whose
 * histories are overlaid (each run's series), and the two runs whose notebook cells are
 * diffed.
 */
import { ApiError, asApiError, MlopsApi } from './api';
import { ICellDiff, ICompareResult, IMetricSeries, IRun } from './payloads';
import { ViewModel } from './viewModel';

/** One compared run's history of a metric. */
export interface IRunSeries {
  readonly run: IRun;
  readonly series: IMetricSeries;
}

export interface ICompareState {
  /** Directory (relative to the server root) whose store holds the runs. */
  readonly path: string;
  readonly ids: readonly string[];
  /** The comparison; null until it is loaded. */
  readonly result: ICompareResult | null;
  /** Loading the comparison failed. */
  readonly error: ApiError | null;
  /** The metric whose histories are overlaid ('' when the runs have none). */
  readonly metric: string;
  /** Each run's history of `metric`, in the runs' order (a run without it is left out); null while loading. */
  readonly series: readonly IRunSeries[] | null;
  readonly seriesError: string | null;
  /** The two runs whose notebook cells are diffed (the first two at the start). */
  readonly pair: readonly [string, string];
  /** Their cell diff; null when there is none to show. */
  readonly diff: ICellDiff | null;
  readonly diffError: string | null;
}

export namespace CompareModel {
  export interface IOptions {
    api: MlopsApi;
    path: string;
    ids: string[];
    /** Most points asked for each run's series (default 1000). */
    chartPoints?: number;
  }
}

/** The metric shown first: the first that is not a system metric. */
export function defaultMetric(keys: readonly string[]): string {
  return keys.find(key => !key.startsWith('system/')) ?? keys[0] ?? '';
}

export class CompareModel extends ViewModel<ICompareState> {
  constructor(options: CompareModel.IOptions) {
    super({
      path: options.path,
      ids: [...options.ids],
      result: null,
      error: null,
      metric: '',
      series: null,
      seriesError: null,
      pair: ['', ''],
      diff: null,
      diffError: null
    });
    this.api = options.api;
    this._chartPoints = options.chartPoints ?? 1000;
  }

  readonly api: MlopsApi;

  /** Load the comparison, then the histories of the first metric and the first two runs' cell diff. */
  async load(): Promise<void> {
    const { ids, path } = this.state;
    let result: ICompareResult;
    try {
      result = await this.api.compare([...ids], path);
    } catch (error) {
      if (!this.isGone()) {
        this.update({ error: asApiError(error) });
      }
      return;
    }
    if (this.isGone()) {
      return;
    }
    this.update({ result, error: null, diff: result.cell_diff });
    // the server diffs the cells only when comparing two runs: of more, the first two are asked for
    await Promise.all([
      this.setMetric(defaultMetric(result.metric_keys)),
      this.setPair(result.runs[0]?.id ?? '', result.runs[1]?.id ?? '')
    ]);
  }

  /** Overlay another metric: each run's history of it is fetched. */
  async setMetric(metric: string): Promise<void> {
    const { result, path } = this.state;
    const ticket = ++this._seriesTicket;
    this.update({ metric, series: null });
    if (!result || !metric) {
      return;
    }
    try {
      const all = await Promise.all(
        result.runs.map(async run => {
          try {
            const series = await this.api.metric(
              run.id,
              metric,
              path,
              this._chartPoints
            );
            return { run, series };
          } catch (error) {
            if (
              error instanceof ApiError &&
              error.code === 'metric_not_found'
            ) {
              return null; // this run did not log the metric
            }
            throw error;
          }
        })
      );
      if (ticket === this._seriesTicket && !this.isGone()) {
        this.update({
          series: all.filter((s): s is IRunSeries => s !== null),
          seriesError: null
        });
      }
    } catch (error) {
      if (ticket === this._seriesTicket && !this.isGone()) {
        this.update({ seriesError: asApiError(error).detail });
      }
    }
  }

  /** Diff the notebook cells of two other runs of the comparison. */
  async setPair(a: string, b: string): Promise<void> {
    const { result, path } = this.state;
    const ticket = ++this._diffTicket;
    this.update({ pair: [a, b] });
    if (!result) {
      return;
    }
    const first = result.runs[0]?.id ?? '';
    const second = result.runs[1]?.id ?? '';
    if (a === first && b === second && result.cell_diff) {
      this.update({ diff: result.cell_diff, diffError: null });
      return;
    }
    if (!a || !b || a === b) {
      this.update({ diff: null, diffError: null });
      return;
    }
    try {
      const pair = await this.api.compare([a, b], path);
      if (ticket === this._diffTicket && !this.isGone()) {
        this.update({ diff: pair.cell_diff, diffError: null });
      }
    } catch (error) {
      if (ticket === this._diffTicket && !this.isGone()) {
        this.update({ diffError: asApiError(error).detail });
      }
    }
  }

  private _seriesTicket = 0;
  private _diffTicket = 0;
  private readonly _chartPoints: number;
}
