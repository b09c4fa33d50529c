/**
 * State of a comparison of two or more runs: the server's comparison (with each metric's best
 * runs, by the server's direction rule and the user's overrides), the metric panels whose
 * histories are overlaid (each run's series), the chart options, and the two runs whose
 * notebook cells are diffed.
 */
import { ApiError, asApiError, MlopsApi } from './api';
import {
  DEFAULT_CHART_OPTIONS,
  IChartOptions,
  RUN_COLOURS
} from './metricSpecs';
import {
  Direction,
  ICellDiff,
  ICompareResult,
  IMetricSeries,
  IRun
} from './payloads';
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
  /** The metrics whose histories are overlaid, a panel each (none when the runs have none). */
  readonly metrics: readonly string[];
  /** Each panel's runs' histories, in the runs' order (a run without it is left out); absent while loading. */
  readonly series: Readonly<Record<string, readonly IRunSeries[]>>;
  /** Why a panel's histories could not be fetched, by metric. */
  readonly seriesErrors: Readonly<Record<string, string>>;
  /** x axis, log-y and smoothing of every panel. */
  readonly chartOptions: IChartOptions;
  /** Metrics whose better direction the user chose against the one their name says. */
  readonly overrides: Readonly<Record<string, Direction>>;
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

/** Most metric panels shown at once. */
export const MAX_PANELS = 6;

/** Each compared run's colour: the server's, else the palette's in the runs' order. */
export function runColours(result: ICompareResult): Record<string, string> {
  return Object.fromEntries(
    result.runs.map((run, i) => [
      run.id,
      result.colours?.[run.id] ?? RUN_COLOURS[i % RUN_COLOURS.length] ?? '#888'
    ])
  );
}

export class CompareModel extends ViewModel<ICompareState> {
  constructor(options: CompareModel.IOptions) {
    super({
      path: options.path,
      ids: [...options.ids],
      result: null,
      error: null,
      metrics: [],
      series: {},
      seriesErrors: {},
      chartOptions: DEFAULT_CHART_OPTIONS,
      overrides: {},
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
    const { ids, path, overrides } = this.state;
    let result: ICompareResult;
    try {
      result = await this.api.compare([...ids], path, overrides);
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
    const first = defaultMetric(result.metric_keys);
    await Promise.all([
      this.setMetrics(first ? [first] : []),
      this.setPair(result.runs[0]?.id ?? '', result.runs[1]?.id ?? '')
    ]);
  }

  /** Show these metric panels (at most `MAX_PANELS`); the histories not yet here are fetched. */
  async setMetrics(metrics: readonly string[]): Promise<void> {
    const known = new Set(this.state.result?.metric_keys ?? []);
    const chosen = [...new Set(metrics)]
      .filter(key => known.has(key))
      .slice(0, MAX_PANELS);
    this.update({ metrics: chosen });
    await Promise.all(
      chosen
        .filter(key => !(key in this.state.series))
        .map(key => this.fetchSeries(key))
    );
  }

  /** Change how every panel is drawn. */
  setChartOptions(options: Partial<IChartOptions>): void {
    this.update({ chartOptions: { ...this.state.chartOptions, ...options } });
  }

  /**
   * Say which way metric `key` is better, against the one its name says (or back to it with
   * null): the comparison is asked for again, its best marks from the server's one rule.
   */
  async setDirection(key: string, direction: Direction | null): Promise<void> {
    const overrides = Object.fromEntries(
      Object.entries(this.state.overrides).filter(([other]) => other !== key)
    );
    if (direction !== null) {
      overrides[key] = direction;
    }
    this.update({ overrides });
    const { ids, path } = this.state;
    const ticket = ++this._compareTicket;
    try {
      const result = await this.api.compare([...ids], path, overrides);
      if (ticket === this._compareTicket && !this.isGone()) {
        this.update({
          result: {
            ...result,
            cell_diff: this.state.result?.cell_diff ?? result.cell_diff
          },
          error: null
        });
      }
    } catch (error) {
      if (ticket === this._compareTicket && !this.isGone()) {
        this.update({ error: asApiError(error) });
      }
    }
  }

  /** Each run's history of `metric`, into the panel of that metric. */
  private async fetchSeries(metric: string): Promise<void> {
    const { result, path } = this.state;
    const ticket = (this._seriesTickets[metric] ?? 0) + 1;
    this._seriesTickets[metric] = ticket;
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
      if (ticket === this._seriesTickets[metric] && !this.isGone()) {
        const otherErrors = Object.fromEntries(
          Object.entries(this.state.seriesErrors).filter(
            ([key]) => key !== metric
          )
        );
        this.update({
          series: {
            ...this.state.series,
            [metric]: all.filter((s): s is IRunSeries => s !== null)
          },
          seriesErrors: otherErrors
        });
      }
    } catch (error) {
      if (ticket === this._seriesTickets[metric] && !this.isGone()) {
        this.update({
          seriesErrors: {
            ...this.state.seriesErrors,
            [metric]: asApiError(error).detail
          }
        });
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

  private readonly _seriesTickets: Record<string, number> = {};
  private _compareTicket = 0;
  private _diffTicket = 0;
  private readonly _chartPoints: number;
}
