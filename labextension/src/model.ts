/**
 * State of the runs sidebar: which store (by directory), which page of which runs,
 * the selection, and a refresh loop that runs while the panel is visible, so new and
 * changed runs show up by themselves.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, asApiError, MlopsApi } from './api';
import { IRun } from './payloads';
import {
  availableColumns,
  defaultColumns,
  IColumns,
  ISortKey
} from './tableDefaults';
import { IViewMemory, viewKey } from './viewMemory';
import { ViewKeeper } from './viewKeeper';
import { PollingModel } from './viewModel';

export { IColumns, ISortKey } from './tableDefaults';

/** The child runs of an expanded sweep or pipeline run. */
export interface IChildRuns {
  runs: IRun[];
  total: number;
  loading: boolean;
  error: ApiError | null;
}

/** Most children listed under an expanded parent; the rest are a filter away. */
export const CHILDREN_SHOWN = 100;

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
  /** Runs matching; while not `counted`, the fewest there can be (the page shows first). */
  total: number;
  counted: boolean;
  loading: boolean;
  /** The last refresh failed (store unavailable, server gone, ...). */
  error: ApiError | null;
  /** The filter text is not valid; `runs` still shows the last good result. */
  filterError: ApiError | null;
  /** Param, metric and tag keys seen on the current page (expanded children included). */
  available: IColumns;
  /** Param, metric and tag columns shown: the user's choice, else the defaults. */
  columns: IColumns;
  /** The user chose the columns (they no longer follow the runs shown). */
  columnsChosen: boolean;
  /** Parents whose children are shown under them, in the order expanded. */
  expanded: string[];
  /** The children of expanded parents, by parent id. */
  children: Record<string, IChildRuns>;
}

export namespace RunsModel {
  export interface IOptions {
    api: MlopsApi;
    /** Milliseconds between refreshes while the panel is visible (default 1000). */
    pollInterval?: number;
    /** Runs per page (default 50). */
    limit?: number;
    /** Most param columns chosen automatically (default 3). */
    autoColumns?: number;
    /** Where column choices, sort and filter are kept per experiment (JupyterLab's state DB). */
    memory?: IViewMemory;
  }
}

/** A field name in the filter language, quoted with backticks when it must be. */
export function fieldName(
  kind: 'params' | 'metrics' | 'tags',
  key: string
): string {
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
        counted: true,
        loading: false,
        error: null,
        filterError: null,
        available: { params: [], metrics: [], tags: [] },
        columns: { params: [], metrics: [], tags: [] },
        columnsChosen: false,
        expanded: [],
        children: {}
      },
      options.pollInterval ?? 1000
    );
    this.api = options.api;
    this._autoColumns = options.autoColumns ?? 3;
    this._view = new ViewKeeper(
      {
        key: () => viewKey(this.state.path, this.state.experiment),
        current: () => ({
          filter: this.state.filter,
          sort: this.state.sort,
          columns: this.state.columnsChosen ? this.state.columns : null
        }),
        show: saved => {
          this.update({
            filter: saved?.filter ?? '',
            sort: saved?.sort ?? null,
            columnsChosen:
              saved?.columns !== undefined && saved.columns !== null,
            columns: saved?.columns ?? this.state.columns,
            expanded: [],
            children: {}
          });
        },
        gone: () => this.isGone()
      },
      options.memory ?? null
    );
  }

  readonly api: MlopsApi;

  /** Emitted with the selected run ids whenever the selection changed. */
  get selectionChanged(): ISignal<this, ReadonlySet<string>> {
    return this._selectionChanged;
  }

  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  /** Child runs nest under their parent unless a filter is typed (then matches are listed flat). */
  get nested(): boolean {
    return !this.state.filter.trim();
  }

  /** How many child runs each run seen in the table has (for the delete dialog). */
  childCount(id: string): number {
    return this._childCounts.get(id) ?? 0;
  }

  /** The folder of the active notebook, if any; the store shown unless one was picked. */
  get notebookPath(): string | null {
    return this._notebookPath;
  }

  /** Whether a store was picked by hand (the active notebook's is then not followed). */
  get pinned(): boolean {
    return this._pinned;
  }

  /** The active notebook changed: show its folder's store, unless one was picked. */
  async followNotebook(path: string): Promise<void> {
    this._notebookPath = path;
    if (!this._pinned) {
      await this.setPath(path);
    } else {
      this.update({}); // the picker offers the notebook's store again
    }
  }

  /** Show the store of a folder picked by hand; null goes back to following the notebook. */
  async pickStore(path: string | null): Promise<void> {
    this._pinned = path !== null;
    const target = path ?? this._notebookPath ?? '';
    if (target === this.state.path) {
      this.update({});
      return;
    }
    await this.setPath(target);
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
    await this._view.recall();
    if (this.visible) {
      await this.refresh();
    }
  }

  async setExperiment(experiment: string): Promise<void> {
    this.update({ experiment, offset: 0 });
    await this._view.recall();
    await this.refresh();
  }

  async setFilter(filter: string): Promise<void> {
    const changed = await this._view.change(() => {
      this.update({ filter, offset: 0 });
    });
    if (changed) {
      await this.refresh();
    }
  }

  /** Sort by a field; the same field again flips the direction. */
  async sortBy(field: string): Promise<void> {
    const sorted = await this._view.change(() => {
      const current = this.state.sort;
      const descending =
        current && current.field === field
          ? !current.descending
          : field === 'started_at' || field.startsWith('metrics.');
      this.update({ sort: { field, descending }, offset: 0 });
    });
    if (sorted) {
      await this.refresh();
    }
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
    void this._view.change(() => {
      const chosen = this.state.columns[kind];
      const next = chosen.includes(key)
        ? chosen.filter(k => k !== key)
        : [...chosen, key];
      this.update({
        columns: { ...this.state.columns, [kind]: next },
        columnsChosen: true
      });
    });
  }

  /** Go back to the columns chosen for the runs shown. */
  resetColumns(): void {
    void this._view.change(() => {
      this.update({
        columnsChosen: false,
        columns: defaultColumns(
          this._shownRuns(),
          this.state.sort,
          this._autoColumns
        )
      });
    });
  }

  /** Show or hide the children of a sweep or pipeline run under it. */
  async toggleExpanded(id: string): Promise<void> {
    const { expanded, children } = this.state;
    if (expanded.includes(id)) {
      const rest = Object.fromEntries(
        Object.entries(children).filter(([key]) => key !== id)
      );
      this.update({ expanded: expanded.filter(e => e !== id), children: rest });
      this._updateColumns();
      return;
    }
    this.update({
      expanded: [...expanded, id],
      children: {
        ...children,
        [id]: { runs: [], total: 0, loading: true, error: null }
      }
    });
    await this._loadChildren([id], this._ticket);
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
    await this._load(false);
  }

  /** The poll's refresh: no loading state, and no change when the server's answer is the same. */
  protected override async poll(): Promise<void> {
    await this._load(true);
  }

  private async _load(quiet: boolean): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    // the first page (after a reload: before anything chose a view) asks with the
    // remembered filter and sort, never with the defaults
    await this._view.ready();
    if (this.isGone()) {
      return;
    }
    const ticket = ++this._ticket;
    const s = this.state;
    if (!quiet) {
      this.update({ loading: true });
    }
    try {
      const [page, experiments] = await Promise.all([
        this.api.runs({
          path: s.path,
          experiment: s.experiment,
          filter: s.filter,
          orderBy: orderByText(s.sort),
          limit: s.limit,
          offset: s.offset,
          nested: this.nested,
          count: '0' // the rows first: counting thousands of matches takes longer
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
      const answer = JSON.stringify([page, experiments]);
      if (
        quiet &&
        answer === this._answer &&
        !s.error &&
        !s.filterError &&
        !(this.nested && s.expanded.length)
      ) {
        if (page.total === null) {
          await this._count(ticket); // runs past the page may have come or gone
        }
        this.schedule();
        return; // nothing changed: no render, so nothing on screen moves
      }
      this._answer = answer;
      const shown = new Set(page.runs.map(run => run.id));
      const expanded = this.nested
        ? this.state.expanded.filter(id => shown.has(id))
        : [];
      const children: Record<string, IChildRuns> = {};
      for (const id of expanded) {
        children[id] = this.state.children[id] ?? {
          runs: [],
          total: 0,
          loading: true,
          error: null
        };
      }
      this.update({
        runs: page.runs,
        total:
          page.total ??
          (page.offset ?? s.offset) + page.runs.length + (page.more ? 1 : 0),
        counted: page.total !== null,
        offset: page.offset ?? s.offset,
        store: page.store,
        experiments,
        loading: false,
        error: null,
        filterError: null,
        expanded,
        children
      });
      this._updateColumns();
      if (page.total === null) {
        void this._count(ticket);
      }
      if (expanded.length) {
        await this._loadChildren(expanded, ticket);
      }
    } catch (error) {
      if (ticket !== this._ticket || this.isGone()) {
        return;
      }
      this._answer = '';
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

  /** Count the runs the shown page is of (asked for after the page: see `_load`). */
  private async _count(ticket: number): Promise<void> {
    const s = this.state;
    try {
      const answer = await this.api.runs({
        path: s.path,
        experiment: s.experiment,
        filter: s.filter,
        nested: this.nested,
        limit: 1,
        count: 'only'
      });
      if (ticket === this._ticket && !this.isGone() && answer.total !== null) {
        if (answer.total !== s.total || !s.counted) {
          this.update({ total: answer.total, counted: true });
        }
      }
    } catch {
      // the rows stay; the next refresh counts again
    }
  }

  /** The runs the table shows: the page and the children of expanded parents. */
  private _shownRuns(): IRun[] {
    const { runs, expanded, children } = this.state;
    return [...runs, ...expanded.flatMap(id => children[id]?.runs ?? [])];
  }

  private _updateColumns(): void {
    const shown = this._shownRuns();
    for (const run of shown) {
      if (run.children !== undefined) {
        this._childCounts.set(run.id, run.children);
      }
    }
    this.update({
      available: availableColumns(shown),
      columns: this.state.columnsChosen
        ? this.state.columns
        : defaultColumns(shown, this.state.sort, this._autoColumns)
    });
  }

  private async _loadChildren(
    parents: string[],
    ticket: number
  ): Promise<void> {
    const s = this.state;
    const loaded = await Promise.all(
      parents.map(async (parent): Promise<[string, IChildRuns]> => {
        try {
          const page = await this.api.runs({
            path: s.path,
            parent,
            orderBy: orderByText(s.sort),
            limit: CHILDREN_SHOWN
          });
          return [
            parent,
            {
              runs: page.runs,
              total: page.total ?? page.runs.length,
              loading: false,
              error: null
            }
          ];
        } catch (error) {
          return [
            parent,
            { runs: [], total: 0, loading: false, error: asApiError(error) }
          ];
        }
      })
    );
    if (ticket !== this._ticket || this.isGone()) {
      return;
    }
    const children = { ...this.state.children };
    for (const [parent, list] of loaded) {
      if (this.state.expanded.includes(parent)) {
        children[parent] = list;
      }
    }
    this.update({ children });
    this._updateColumns();
  }

  /** Runs may start, change or end at any time, in any notebook or process. */
  protected shouldPoll(): boolean {
    return true;
  }

  private _notebookPath: string | null = null;
  private _pinned = false;
  private _selected = new Set<string>();
  private _expected = new Set<string>();
  private _ticket = 0;
  /** The last answer shown, to tell whether a poll brought anything new. */
  private _answer = '';
  private readonly _autoColumns: number;
  private readonly _view: ViewKeeper;
  private readonly _childCounts = new Map<string, number>();
  private _selectionChanged = new Signal<this, ReadonlySet<string>>(this);
}
