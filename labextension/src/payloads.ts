/**
 * The JSON payloads of the jupyter-mlops REST API, as the typed client (`api.ts`) returns
 * them: runs, pages, metric series, comparisons. Shapes only; no behaviour.
 */
export type JSONValue =
  string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

export type RunStatus =
  'running' | 'finished' | 'failed' | 'interrupted' | 'crashed';

export interface IRunError {
  ename?: string;
  evalue?: string;
  traceback?: string[] | string;
  cell?: number | null;
}

export interface IRun {
  id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  parent_id: string | null;
  started_at: number;
  ended_at: number | null;
  duration: number | null;
  params: Record<string, JSONValue>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  note: string;
  notebook_path: string | null;
  source: string;
  error: IRunError | null;
  outputs: Record<string, JSONValue>;
  host: string | null;
  pid: number | null;
  /** How many child runs it has (in `GET runs` pages). */
  children?: number;
  /**
   * The run's own colour (`GET runs` pages and `GET runs/{id}`): its chip in the table, its
   * lines in its charts and in a comparison (where a run compared before it may take it).
   */
  colour?: string;
}

export interface IArtifact {
  name: string;
  digest: string;
  size: number;
  created_at: number;
}

export interface IExecutedCell {
  position: number;
  execution_count: number | null;
  source_hash: string;
  source: string;
  out_of_order: boolean;
  stale: boolean;
}

export interface IEnvironment {
  python?: string;
  platform?: string;
  host?: string;
  packages?: Record<string, string> | string[];
  git?: {
    commit?: string;
    branch?: string;
    dirty?: boolean;
    remote?: string;
  } | null;
  [key: string]: JSONValue | undefined;
}

export interface IRunDetail extends IRun {
  env: IEnvironment;
  metric_keys: string[];
  artifacts: IArtifact[];
  execution_record: IExecutedCell[];
  has_snapshot: boolean;
  /** The files the run read and wrote (`registryPayloads.ts`). */
  files?: import('./registryPayloads').IFileRef[];
}

export interface IRunsPage {
  runs: IRun[];
  /** Runs matching; null when asked for a page without its count (`count: '0'`). */
  total: number | null;
  /** Runs match past this page. */
  more?: boolean;
  /** Of the first run: the offset asked for, or the last page's when that was past the end. */
  offset?: number;
  store: string;
}

export interface IInfo {
  version: string;
  store: string;
  store_exists: boolean;
}

export interface IMetricSeries {
  run_id: string;
  key: string;
  steps: number[];
  values: number[];
  timestamps: number[];
  total_points: number;
  downsampled: boolean;
  /** The unit of a system metric (`%`, `MB`); null for others. */
  unit?: string | null;
}

export interface IValueRow {
  key: string;
  /** Each run's value, by run id; a run without the key is absent. */
  values: Record<string, JSONValue>;
  differs: boolean;
  /** Metrics only: which end is better, by the server's one rule (name or override). */
  direction?: Direction;
  /** Metrics only: the runs holding the best value (empty when fewer than two have one). */
  best?: string[];
}

export type Direction = 'min' | 'max';

export interface IDiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface ICellChange {
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  cell_type: string;
  index_a: number | null;
  index_b: number | null;
  lines: IDiffLine[];
}

export interface ICellDiff {
  a: string;
  b: string;
  /** Runs of the two that have no snapshot. */
  missing: string[];
  cells: ICellChange[];
}

export interface ICompareResult {
  runs: IRun[];
  params: IValueRow[];
  metrics: IValueRow[];
  metric_keys: string[];
  cell_diff: ICellDiff | null;
  /** Each run's colour in every chart and table of the comparison, by run id. */
  colours?: Record<string, string>;
}

export interface IRunChanges {
  name?: string;
  note?: string;
  tags?: Record<string, string>;
}

export interface IRunQuery {
  /** Directory relative to the server root whose store is meant. */
  path?: string;
  experiment?: string;
  filter?: string;
  orderBy?: string;
  limit?: number;
  offset?: number;
  /** Only runs without a parent (their children are listed with `parent`). */
  nested?: boolean;
  /** Only the children of this run. */
  parent?: string;
  /** '0': the page without its exact total (`more` says whether runs follow); 'only': the total alone. */
  count?: '0' | 'only';
}

/** `GET runs/{id}/rerun`: what a re-run of the run starts from (the same for every face). */
export interface IRerunStart {
  run_id: string;
  name: string;
  experiment: string;
  notebook_path: string | null;
  rerunnable: boolean;
  reason: string | null;
  error?: string;
  /** The name a re-run with the changes asked about gets unless one is given. */
  suggested_name?: string;
  params: {
    name: string;
    value: JSONValue;
    kind: string | null;
    /** The values it took in the experiment, when they are a short list of texts. */
    choices?: JSONValue[] | null;
  }[];
}

/** `GET`/`POST runs/{id}/reproduce`: the newest reproduction of a run and its verdict. */
export interface IReproduction {
  run_id: string;
  /** `null` when the run was never reproduced. */
  verdict: 'reproduced' | 'differs' | 'failed' | 'running' | null;
  reproduction_id?: string | null;
  tag?: 'yes' | 'no' | 'failed' | null;
  tolerance?: number;
  compared?: string[];
  differences?: {
    key: string;
    original: number | string | null;
    reproduced: number | string | null;
    relative: number | string | null;
    detail: string;
  }[];
  new_metrics?: string[];
  likely_causes?: {
    kind: 'out_of_order' | 'stale' | 'missing';
    execution_count: number | null;
    source: string;
    description: string;
  }[];
  error?: string | null;
}
