/**
 * State of the runs sidebar: which store (by directory), which page of which runs,
 * the selection, and a refresh loop that runs only while runs are running and the
 * panel is visible.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, asApiError, MlopsApi } from './api';
import { IRun } from './payloads';
import { PollingModel } from './viewModel';

/** A column the table can sort by: a run attribute, `params.KEY` or `metrics.KEY`. */
export interface ISortKey {
  field: string;
  descending: boolean;
}

export interface IColumns {
  params: string[];
  metrics: string[];
}

export interface IRunsState {
  /** Directory (relative to the server root) whose store is shown. */
  path: string;
  /** Store location the server resolved for `path`. */
  store: string;
  experiments: string[];
  /** Selected experiment; '' for all. */
  experiment: string;
  filter: string;
  sort: ISortKey | null;
  offset: number;
  limit: number;
  runs: IRun[];
  total: number;
  loading: boolean;
  /** The last refresh failed (store unavailable, server gone, ...). */
  error: ApiError | null;
  /** The filter text is not valid; `runs` still shows the last good result. */
  filterError: ApiError | null;
  /** Param and metric keys seen on the current page. */
  available: IColumns;
  /** Param and metric columns the user chose. */
  columns: IColumns;
}

export namespace RunsModel {
  export interface IOptions {
    api: MlopsApi;
    /** Milliseconds between refreshes while runs are running (default 2000). */
    pollInterval?: number;
    /** Runs per page (default 50). */
    limit?: number;
    /** Most param or metric columns chosen automatically (default 2 each). */
    autoColumns?: number;
  }
}

/** A field name in the filter language, quoted with backticks when it must be. */
export function fieldName(kind: 'params' | 'metrics', key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || key.includes('`')
    ? `${kind}.${key}`
    : `${kind}.\`${key}\``;
}

export function orderByText(sort: ISortKey | null): string {
  return sort ? `${sort.field} ${sort.descending ? 'desc' : 'asc'}` : '';
}

export class RunsModel extends PollingModel<IRunsState> {
  constructor(options: RunsModel.IOptions) {
    super(
      {
        path: '',
        store: '',
        experiments: [],
        experiment: '',
        filter: '',
        sort: null,
        offset: 0,
        limit: options.limit ?? 50,
        runs: [],
        total: 0,
        loading: false,
        error: null,
        filterError: null,
        available: { params: [], metrics: [] },
        columns: { params: [], metrics: [] }
      },
      options.pollInterval ?? 2000
    );
    this.api = options.api;
    this._autoColumns = options.autoColumns ?? 2;
  }

  readonly api: MlopsApi;

  /** Emitted with the selected run ids whenever the selection changed. */
  get selectionChanged(): ISignal<this, ReadonlySet<string>> {
    return this._selectionChanged;
  }

  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  /** Show the store of another directory (the active notebook's). */
  async setPath(path: string): Promise<void> {
    if (path === this.state.path) {
      return;
    }
    this._selected.clear();
    this._selectionChanged.emit(this._selected);
    this.update({
      path,
      offset: 0,
      experiment: '',
      experiments: [],
      runs: [],
      total: 0,
      error: null,
      filterError: null
    });
    this._columnsTouched = false;
    if (this.visible) {
      await this.refresh();
    }
  }

  async setExperiment(experiment: string): Promise<void> {
    this.update({ experiment, offset: 0 });
    await this.refresh();
  }

  async setFilter(filter: string): Promise<void> {
    this.update({ filter, offset: 0 });
    await this.refresh();
  }

  /** Sort by a field; the same field again flips the direction. */
  async sortBy(field: string): Promise<void> {
    const current = this.state.sort;
    const descending =
      current && current.field === field
        ? !current.descending
        : field === 'started_at' || field.startsWith('metrics.');
    this.update({ sort: { field, descending }, offset: 0 });
    await this.refresh();
  }

  async setPage(offset: number): Promise<void> {
    const last = Math.max(0, this.state.total - 1);
    const clamped = Math.max(
      0,
      Math.min(offset, last - (last % this.state.limit))
    );
    this.update({ offset: clamped });
    await this.refresh();
  }

  async nextPage(): Promise<void> {
    if (this.state.offset + this.state.limit < this.state.total) {
      await this.setPage(this.state.offset + this.state.limit);
    }
  }

  async previousPage(): Promise<void> {
    if (this.state.offset > 0) {
      await this.setPage(this.state.offset - this.state.limit);
    }
  }

  toggleColumn(kind: keyof IColumns, key: string): void {
    this._columnsTouched = true;
    const chosen = this.state.columns[kind];
    const next = chosen.includes(key)
      ? chosen.filter(k => k !== key)
      : [...chosen, key];
    this.update({ columns: { ...this.state.columns, [kind]: next } });
  }

  toggleSelected(id: string): void {
    if (this._selected.has(id)) {
      this._selected.delete(id);
    } else {
      this._selected.add(id);
    }
    this._selectionChanged.emit(this._selected);
  }

  setSelected(ids: Iterable<string>): void {
    this._selected = new Set(ids);
    this._selectionChanged.emit(this._selected);
  }

  /** Keep refreshing until this run shows up and ends (a re-run just started). */
  expectRun(id: string): void {
    this._expected.add(id);
    this.schedule();
  }

  /** Load the experiments and the current page. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    this.cancelPoll();
    const ticket = ++this._ticket;
    const s = this.state;
    this.update({ loading: true });
    try {
      const [page, experiments] = await Promise.all([
        this.api.runs({
          path: s.path,
          experiment: s.experiment,
          filter: s.filter,
          orderBy: orderByText(s.sort),
          limit: s.limit,
          offset: s.offset
        }),
        this.api.experiments(s.path)
      ]);
      if (ticket !== this._ticket || this.isGone()) {
        return;
      }
      for (const run of page.runs) {
        if (run.status !== 'running') {
          this._expected.delete(run.id);
        }
      }
      const available = this._availableColumns(page.runs);
      this.update({
        runs: page.runs,
        total: page.total,
        offset: page.offset ?? s.offset,
        store: page.store,
        experiments,
        loading: false,
        error: null,
        filterError: null,
        available,
        columns: this._columnsTouched
          ? this.state.columns
          : {
              params: available.params.slice(0, this._autoColumns),
              metrics: available.metrics.slice(0, this._autoColumns)
            }
      });
    } catch (error) {
      if (ticket !== this._ticket || this.isGone()) {
        return;
      }
      const apiError = asApiError(error);
      if (apiError.parameter === 'filter') {
        this.update({ loading: false, filterError: apiError, error: null });
      } else {
        this.update({
          loading: false,
          error: apiError,
          filterError: null,
          runs: [],
          total: 0
        });
      }
    }
    this.schedule();
  }

  private _availableColumns(runs: IRun[]): IColumns {
    const params = new Set<string>();
    const metrics = new Set<string>();
    for (const run of runs) {
      Object.keys(run.params).forEach(key => params.add(key));
      Object.keys(run.metrics)
        .filter(key => !key.startsWith('system/'))
        .forEach(key => metrics.add(key));
    }
    return { params: [...params].sort(), metrics: [...metrics].sort() };
  }

  protected shouldPoll(): boolean {
    return (
      this._expected.size > 0 ||
      this.state.runs.some(run => run.status === 'running')
    );
  }

  private _selected = new Set<string>();
  private _expected = new Set<string>();
  private _columnsTouched = false;
  private _ticket = 0;
  private readonly _autoColumns: number;
  private _selectionChanged = new Signal<this, ReadonlySet<string>>(this);
}
