/**
 * State of one run's detail view: the run, each metric's history for its charts, and a
 * refresh loop that runs only while the run is running and the view is on screen.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, asApiError, MlopsApi } from './api';
import { IMetricSeries, IRunChanges, IRunDetail } from './payloads';

export interface IRunDetailState {
  /** Directory (relative to the server root) whose store holds the run. */
  readonly path: string;
  readonly runId: string;
  /** The run as last loaded; null until the first load succeeded. */
  readonly run: IRunDetail | null;
  /** The last load or save failed; `run` still shows the last good answer. */
  readonly error: ApiError | null;
  /** Counts the loads of the run: the metric histories are fetched again at each. */
  readonly revision: number;
  /** Each metric's history, by key, once fetched. */
  readonly series: Readonly<Record<string, IMetricSeries>>;
  /** Why a metric's history could not be fetched, by key. */
  readonly seriesErrors: Readonly<Record<string, string>>;
}

export namespace RunDetailModel {
  export interface IOptions {
    api: MlopsApi;
    /** Directory whose store holds the run. */
    path: string;
    runId: string;
    /** Milliseconds between refreshes while the run is running (default 2000). */
    pollInterval?: number;
    /** Most points asked for each metric's chart (default 1000). */
    chartPoints?: number;
  }
}

export class RunDetailModel implements IDisposable {
  constructor(options: RunDetailModel.IOptions) {
    this.api = options.api;
    this._pollInterval = options.pollInterval ?? 2000;
    this._chartPoints = options.chartPoints ?? 1000;
    this._state = {
      path: options.path,
      runId: options.runId,
      run: null,
      error: null,
      revision: 0,
      series: {},
      seriesErrors: {}
    };
  }

  readonly api: MlopsApi;

  get state(): IRunDetailState {
    return this._state;
  }

  /** Emitted whenever `state` changed. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** Emitted with the run after it was changed from this view (name, tags, note). */
  get runChanged(): ISignal<this, IRunDetail> {
    return this._runChanged;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Whether a refresh is scheduled (the run is running and the view is visible). */
  get isPolling(): boolean {
    return this._timer !== null;
  }

  get visible(): boolean {
    return this._visible;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._cancelPoll();
    Signal.clearData(this);
  }

  /**
   * The view was shown or hidden: refreshing pauses while hidden, and a running run is
   * refreshed as soon as it is shown again.
   */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (!visible) {
      this._cancelPoll();
    } else if (this._state.run?.status === 'running' && !this._loading) {
      void this.refresh();
    }
  }

  /** Load the run, then each of its metrics' histories. */
  async refresh(): Promise<void> {
    if (this._disposed) {
      return;
    }
    this._cancelPoll();
    const ticket = ++this._ticket;
    const { runId, path } = this._state;
    this._loading = true;
    let loaded: IRunDetail;
    try {
      loaded = await this.api.run(runId, path);
    } catch (error) {
      if (ticket === this._ticket && !this.isDisposed) {
        this._loading = false;
        // a failed refresh ends the polling: nothing new is shown until the next refresh
        this._update({ error: asApiError(error) });
      }
      return;
    }
    if (ticket !== this._ticket || this.isDisposed) {
      return;
    }
    this._loading = false;
    const revision = this._state.revision + 1;
    this._update({ run: loaded, error: null, revision });
    this._schedule();
    await Promise.all(
      loaded.metric_keys.map(key => this._loadSeries(key, revision))
    );
  }

  /** Change the run's name, tags or note; the view shows the stored result. */
  async save(changes: IRunChanges): Promise<void> {
    const { runId, path } = this._state;
    try {
      const updated = await this.api.updateRun(runId, changes, path);
      if (this.isDisposed) {
        return;
      }
      this._update({ run: updated, error: null });
      this._runChanged.emit(updated);
    } catch (error) {
      if (!this.isDisposed) {
        this._update({ error: asApiError(error) });
      }
    }
  }

  /** The content of one of the run's artifacts. */
  async artifact(name: string): Promise<Blob> {
    return this.api.artifact(this._state.runId, name, this._state.path);
  }

  private async _loadSeries(key: string, revision: number): Promise<void> {
    const { runId, path } = this._state;
    try {
      const series = await this.api.metric(runId, key, path, this._chartPoints);
      if (revision === this._state.revision && !this.isDisposed) {
        const seriesErrors = { ...this._state.seriesErrors };
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
        delete seriesErrors[key];
        this._update({
          series: { ...this._state.series, [key]: series },
          seriesErrors
        });
      }
    } catch (error) {
      if (revision === this._state.revision && !this.isDisposed) {
        this._update({
          seriesErrors: {
            ...this._state.seriesErrors,
            [key]: asApiError(error).detail
          }
        });
      }
    }
  }

  private _schedule(): void {
    this._cancelPoll();
    if (
      this._disposed ||
      !this._visible ||
      this._state.run?.status !== 'running'
    ) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, this._pollInterval);
  }

  private _cancelPoll(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _update(changes: Partial<IRunDetailState>): void {
    this._state = { ...this._state, ...changes };
    this._stateChanged.emit();
  }

  private _state: IRunDetailState;
  private _visible = false;
  private _disposed = false;
  private _loading = false;
  private _ticket = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private readonly _pollInterval: number;
  private readonly _chartPoints: number;
  private _stateChanged = new Signal<this, void>(this);
  private _runChanged = new Signal<this, IRunDetail>(this);
}
