/**
 * State of one run's detail view: the run, each metric's history for its charts, and a
 * refresh loop that runs only while the run is running and the view is on screen.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, asApiError, MlopsApi } from './api';
import { IMetricSeries, IRunChanges, IRunDetail } from './payloads';
import { PollingModel } from './viewModel';

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
  /** The note was edited and not saved yet (closing the tab asks first). */
  readonly noteUnsaved: boolean;
}

export namespace RunDetailModel {
  export interface IOptions {
    api: MlopsApi;
    /** Directory whose store holds the run. */
    path: string;
    runId: string;
    /** Milliseconds between refreshes while the run is running (default 1000). */
    pollInterval?: number;
    /** Most points asked for each metric's chart (default 1000). */
    chartPoints?: number;
  }
}

export class RunDetailModel extends PollingModel<IRunDetailState> {
  constructor(options: RunDetailModel.IOptions) {
    super(
      {
        path: options.path,
        runId: options.runId,
        run: null,
        error: null,
        revision: 0,
        series: {},
        seriesErrors: {},
        noteUnsaved: false
      },
      options.pollInterval ?? 1000
    );
    this.api = options.api;
    this._chartPoints = options.chartPoints ?? 1000;
  }

  readonly api: MlopsApi;

  /** Emitted with the run after it was changed from this view (name, tags, note). */
  get runChanged(): ISignal<this, IRunDetail> {
    return this._runChanged;
  }

  /** Load the run, then each of its metrics' histories. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._ticket;
    const { runId, path } = this.state;
    this._loading = true;
    let loaded: IRunDetail;
    try {
      loaded = await this.api.run(runId, path);
    } catch (error) {
      if (ticket === this._ticket && !this.isGone()) {
        this._loading = false;
        // the poll retries, less and less often, until the server answers again
        this.update({ error: asApiError(error) });
      }
      return;
    }
    if (ticket !== this._ticket || this.isGone()) {
      return;
    }
    this._loading = false;
    const revision = this.state.revision + 1;
    this.update({ run: loaded, error: null, revision });
    this.schedule();
    await Promise.all(
      loaded.metric_keys.map(key => this._loadSeries(key, revision))
    );
  }

  /** Change the run's name, tags or note; the view shows the stored result. */
  async save(changes: IRunChanges): Promise<void> {
    const { runId, path } = this.state;
    try {
      const updated = await this.api.updateRun(runId, changes, path);
      if (this.isGone()) {
        return;
      }
      this.update({ run: updated, error: null });
      this._runChanged.emit(updated);
    } catch (error) {
      if (!this.isGone()) {
        this.update({ error: asApiError(error) });
      }
    }
  }

  /** The note editor's text differs (true) or no longer differs from the stored note. */
  readonly setNoteUnsaved = (unsaved: boolean): void => {
    if (!this.isDisposed && unsaved !== this.state.noteUnsaved) {
      this.update({ noteUnsaved: unsaved });
    }
  };

  /** The content of one of the run's artifacts. */
  async artifact(name: string): Promise<Blob> {
    return this.api.artifact(this.state.runId, name, this.state.path);
  }

  private async _loadSeries(key: string, revision: number): Promise<void> {
    const { runId, path } = this.state;
    try {
      const series = await this.api.metric(runId, key, path, this._chartPoints);
      if (revision === this.state.revision && !this.isGone()) {
        const seriesErrors = { ...this.state.seriesErrors };
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
        delete seriesErrors[key];
        this.update({
          series: { ...this.state.series, [key]: series },
          seriesErrors
        });
      }
    } catch (error) {
      if (revision === this.state.revision && !this.isGone()) {
        this.update({
          seriesErrors: {
            ...this.state.seriesErrors,
            [key]: asApiError(error).detail
          }
        });
      }
    }
  }

  protected shouldPoll(): boolean {
    return this.state.run?.status === 'running';
  }

  /** Shown again: a running run is brought up to date at once (unless a load is under way). */
  protected override onShown(): void {
    if (this.shouldPoll() && !this._loading) {
      void this.refresh();
    }
  }

  private _loading = false;
  private _ticket = 0;
  private readonly _chartPoints: number;
  private _runChanged = new Signal<this, IRunDetail>(this);
}
