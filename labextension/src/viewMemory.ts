/**
 * The runs table remembers, per folder and experiment, the columns the user chose, the sort
 * and the filter, in JupyterLab's state database (so they survive a reload). What comes back
 * is checked: a value saved by another version, or edited by hand, is ignored, not trusted.
 */
import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyPartialJSONValue } from '@lumino/coreutils';

import { IColumns, ISortKey } from './tableDefaults';

export interface ISavedView {
  filter: string;
  sort: ISortKey | null;
  /** null: the columns follow the runs shown. */
  columns: IColumns | null;
}

export interface IViewMemory {
  recall(key: string): Promise<ISavedView | null>;
  remember(key: string, view: ISavedView): Promise<void>;
}

const PREFIX = 'jupyter-mlops:runs-view';

/** One key per folder (whose store is shown) and experiment ('' for all). */
export function viewKey(path: string, experiment: string): string {
  return `${PREFIX}:${JSON.stringify([path, experiment])}`;
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) && value.every(v => typeof v === 'string')
    ? value
    : null;
}

/** A saved view read back, or null when it is not one. */
export function readView(value: unknown): ISavedView | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const data = value as Record<string, unknown>;
  const filter = typeof data.filter === 'string' ? data.filter : '';
  let sort: ISortKey | null = null;
  const s = data.sort as Record<string, unknown> | null | undefined;
  if (s && typeof s.field === 'string' && typeof s.descending === 'boolean') {
    sort = { field: s.field, descending: s.descending };
  }
  let columns: IColumns | null = null;
  const c = data.columns as Record<string, unknown> | null | undefined;
  if (c && typeof c === 'object') {
    const params = strings(c.params);
    const metrics = strings(c.metrics);
    const tags = strings(c.tags) ?? [];
    if (params && metrics) {
      columns = { params, metrics, tags };
    }
  }
  return { filter, sort, columns };
}

export class StateDBMemory implements IViewMemory {
  constructor(private readonly _db: IStateDB) {}

  async recall(key: string): Promise<ISavedView | null> {
    try {
      return readView(await this._db.fetch(key));
    } catch {
      return null; // a state database that cannot be read: start from the defaults
    }
  }

  async remember(key: string, view: ISavedView): Promise<void> {
    const value = {
      filter: view.filter,
      sort: view.sort ? { ...view.sort } : null,
      columns: view.columns ? { ...view.columns } : null
    } as ReadonlyPartialJSONValue;
    try {
      await this._db.save(key, value);
    } catch (error) {
      console.warn('jupyter-mlops: the table view could not be saved', error);
    }
  }
}
