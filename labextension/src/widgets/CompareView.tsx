/**
 * Two or more runs side by side: param and metric tables with differences highlighted,
 * overlaid metric charts, parallel coordinates (3 or more runs) and the cell diff of two
 * snapshots.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import React, { useEffect, useMemo, useState } from 'react';

import {
  ApiError,
  ICellChange,
  ICellDiff,
  ICompareResult,
  IRun,
  IValueRow,
  MlopsApi
} from '../api';
import { IAxis, ISeries, lineChartSpec, parallelSpec } from './charts';
import { formatNumber, formatValue } from './format';
import { ErrorBox } from './RunDetail';
import { VegaChart } from './VegaChart';

const CHART_POINTS = 1000;

export namespace CompareWidget {
  export interface IOptions {
    api: MlopsApi;
    path: string;
    ids: string[];
  }
}

export class CompareWidget extends ReactWidget {
  constructor(options: CompareWidget.IOptions) {
    super();
    this.options = options;
    this.addClass('jp-mlops-compare');
  }

  readonly options: CompareWidget.IOptions;

  protected render(): React.ReactElement {
    return <CompareView {...this.options} />;
  }
}

export function runLabel(run: IRun): string {
  return `${run.name} (${run.id.slice(-6)})`;
}

function CompareView(props: CompareWidget.IOptions): React.ReactElement {
  const { api, path, ids } = props;
  const [result, setResult] = useState<ICompareResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .compare(ids, path)
      .then(loaded => {
        if (!cancelled) {
          setResult(loaded);
        }
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setError(
            e instanceof ApiError
              ? e
              : new ApiError(0, 'client_error', String(e))
          );
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, path, ids]);

  if (error) {
    return (
      <div className="jp-mlops-detail-body">
        <ErrorBox error={error} />
      </div>
    );
  }
  if (!result) {
    return <div className="jp-mlops-detail-body">Loading comparison…</div>;
  }
  return (
    <div className="jp-mlops-detail-body jp-mlops-compare-body">
      <h2>{`Comparing ${result.runs.length} runs`}</h2>
      <ValueTable
        title="Params"
        runs={result.runs}
        rows={result.params}
        kind="params"
      />
      <ValueTable
        title="Metrics"
        runs={result.runs}
        rows={result.metrics}
        kind="metrics"
      />
      <OverlaidCharts api={api} path={path} result={result} />
      {result.runs.length >= 3 && <ParallelCoordinates result={result} />}
      <CellDiffSection api={api} path={path} result={result} />
    </div>
  );
}

function ValueTable(props: {
  title: string;
  runs: IRun[];
  rows: IValueRow[];
  kind: 'params' | 'metrics';
}): React.ReactElement {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const rows = onlyDifferences
    ? props.rows.filter(row => row.differs)
    : props.rows;
  const show = (value: unknown): string =>
    value === undefined
      ? '–'
      : typeof value === 'number'
        ? formatNumber(value)
        : formatValue(value as Parameters<typeof formatValue>[0]);
  return (
    <section className="jp-mlops-section">
      <h3>
        {props.title}
        <span className="jp-mlops-count">
          {`${props.rows.filter(r => r.differs).length} of ${props.rows.length} differ`}
        </span>
        <label className="jp-mlops-only-diff">
          <input
            type="checkbox"
            checked={onlyDifferences}
            onChange={() => {
              setOnlyDifferences(!onlyDifferences);
            }}
          />
          only differences
        </label>
      </h3>
      {props.rows.length === 0 ? (
        <p className="jp-mlops-muted">{`no ${props.kind}`}</p>
      ) : (
        <div className="jp-mlops-table-wrapper">
          <table className={`jp-mlops-diff-table jp-mlops-${props.kind}-diff`}>
            <thead>
              <tr>
                <th />
                {props.runs.map(run => (
                  <th key={run.id} title={run.id}>
                    {runLabel(run)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(row => (
                <tr
                  key={row.key}
                  data-key={row.key}
                  className={row.differs ? 'jp-mlops-differs' : ''}
                >
                  <th>{row.key}</th>
                  {props.runs.map(run => (
                    <td key={run.id}>{show(row.values[run.id])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function defaultMetric(keys: string[]): string {
  return keys.find(key => !key.startsWith('system/')) ?? keys[0] ?? '';
}

function MetricPicker(props: {
  keys: string[];
  value: string;
  onChange: (key: string) => void;
  label: string;
}): React.ReactElement {
  return (
    <label className="jp-mlops-metric-picker">
      {props.label}{' '}
      <select
        value={props.value}
        onChange={event => {
          props.onChange(event.target.value);
        }}
      >
        {props.keys.map(key => (
          <option key={key} value={key}>
            {key}
          </option>
        ))}
      </select>
    </label>
  );
}

function OverlaidCharts(props: {
  api: MlopsApi;
  path: string;
  result: ICompareResult;
}): React.ReactElement {
  const { api, path, result } = props;
  const [metric, setMetric] = useState(defaultMetric(result.metric_keys));
  const [series, setSeries] = useState<ISeries[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!metric) {
      return;
    }
    let cancelled = false;
    setSeries(null);
    Promise.all(
      result.runs.map(async run => {
        try {
          const s = await api.metric(run.id, metric, path, CHART_POINTS);
          return { label: runLabel(run), steps: s.steps, values: s.values };
        } catch (e) {
          if (e instanceof ApiError && e.code === 'metric_not_found') {
            return null;
          }
          throw e;
        }
      })
    )
      .then(all => {
        if (!cancelled) {
          setSeries(all.filter((s): s is ISeries => s !== null));
          setProblem(null);
        }
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setProblem(e instanceof ApiError ? e.detail : String(e));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, path, result, metric]);

  const spec = useMemo(
    () => (series ? lineChartSpec(series, metric) : null),
    [series, metric]
  );

  return (
    <section className="jp-mlops-section">
      <h3>Metric histories</h3>
      {result.metric_keys.length === 0 ? (
        <p className="jp-mlops-muted">no metrics</p>
      ) : (
        <>
          <MetricPicker
            keys={result.metric_keys}
            value={metric}
            onChange={setMetric}
            label="Metric"
          />
          {problem && <div className="jp-mlops-error-text">{problem}</div>}
          {spec && (
            <VegaChart spec={spec} label={`${metric} of each run over steps`} />
          )}
        </>
      )}
    </section>
  );
}

function ParallelCoordinates(props: {
  result: ICompareResult;
}): React.ReactElement {
  const { result } = props;
  const metricKeys = result.metrics.map(row => row.key);
  const [metric, setMetric] = useState(defaultMetric(metricKeys));
  const spec = useMemo(() => {
    const differing = result.params.filter(row => row.differs);
    const params = differing.length ? differing : result.params;
    const axes: IAxis[] = params.map(row => ({
      label: row.key,
      values: row.values
    }));
    const metricRow = result.metrics.find(row => row.key === metric);
    if (metricRow) {
      axes.push({ label: `metrics.${metric}`, values: metricRow.values });
    }
    const runs = result.runs.map(run => ({ id: run.id, label: runLabel(run) }));
    return axes.length >= 2 ? parallelSpec(runs, axes) : null;
  }, [result, metric]);
  return (
    <section className="jp-mlops-section jp-mlops-parallel">
      <h3>Parallel coordinates</h3>
      {metricKeys.length > 0 && (
        <MetricPicker
          keys={metricKeys}
          value={metric}
          onChange={setMetric}
          label="Metric"
        />
      )}
      {spec ? (
        <VegaChart spec={spec} label="Params and metric of each run" />
      ) : (
        <p className="jp-mlops-muted">
          needs at least two params or metrics to draw
        </p>
      )}
    </section>
  );
}

function CellDiffSection(props: {
  api: MlopsApi;
  path: string;
  result: ICompareResult;
}): React.ReactElement {
  const { api, path, result } = props;
  const first = result.runs[0]?.id ?? '';
  const second = result.runs[1]?.id ?? '';
  const [a, setA] = useState(first);
  const [b, setB] = useState(second);
  const [diff, setDiff] = useState<ICellDiff | null>(result.cell_diff);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (a === first && b === second && result.cell_diff) {
      setDiff(result.cell_diff);
      return;
    }
    if (!a || !b || a === b) {
      setDiff(null);
      return;
    }
    let cancelled = false;
    api
      .compare([a, b], path)
      .then(pair => {
        if (!cancelled) {
          setDiff(pair.cell_diff);
          setProblem(null);
        }
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setProblem(e instanceof ApiError ? e.detail : String(e));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, path, result, a, b, first, second]);

  const picker = (
    value: string,
    onChange: (id: string) => void,
    label: string
  ) => (
    <label className="jp-mlops-metric-picker">
      {label}{' '}
      <select
        value={value}
        onChange={event => {
          onChange(event.target.value);
        }}
      >
        {result.runs.map(run => (
          <option key={run.id} value={run.id}>
            {runLabel(run)}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="jp-mlops-section jp-mlops-cell-diff">
      <h3>Notebook cells</h3>
      {result.runs.length > 2 && (
        <div className="jp-mlops-toolbar">
          {picker(a, setA, 'From')}
          {picker(b, setB, 'to')}
        </div>
      )}
      {problem && <div className="jp-mlops-error-text">{problem}</div>}
      {diff && <CellDiffView diff={diff} />}
    </section>
  );
}

function CellDiffView(props: { diff: ICellDiff }): React.ReactElement {
  const [showUnchanged, setShowUnchanged] = useState(false);
  const { diff } = props;
  if (diff.missing.length) {
    return (
      <p className="jp-mlops-muted">
        {`No notebook snapshot for ${diff.missing.join(' and ')}: nothing to diff.`}
      </p>
    );
  }
  const changed = diff.cells.filter(cell => cell.status !== 'unchanged');
  const shown = showUnchanged ? diff.cells : changed;
  return (
    <>
      <p className="jp-mlops-muted">
        {`${changed.length} of ${diff.cells.length} cells differ.`}{' '}
        <label>
          <input
            type="checkbox"
            checked={showUnchanged}
            onChange={() => {
              setShowUnchanged(!showUnchanged);
            }}
          />
          show unchanged cells
        </label>
      </p>
      {shown.map(cell => (
        <CellChange key={`${cell.index_a}-${cell.index_b}`} cell={cell} />
      ))}
    </>
  );
}

function CellChange(props: { cell: ICellChange }): React.ReactElement {
  const { cell } = props;
  const where =
    cell.status === 'added'
      ? `cell ${(cell.index_b ?? 0) + 1} added`
      : cell.status === 'removed'
        ? `cell ${(cell.index_a ?? 0) + 1} removed`
        : `cell ${(cell.index_a ?? 0) + 1}${
            cell.index_a === cell.index_b ? '' : ` → ${(cell.index_b ?? 0) + 1}`
          } ${cell.status}`;
  return (
    <div className={`jp-mlops-cell-change jp-mlops-cell-${cell.status}`}>
      <div className="jp-mlops-cell-change-title">{`${where} · ${cell.cell_type}`}</div>
      <pre className="jp-mlops-diff">
        {cell.lines.map((line, i) => (
          <div
            key={i}
            className={
              line.op === '+'
                ? 'jp-mlops-diff-add'
                : line.op === '-'
                  ? 'jp-mlops-diff-del'
                  : 'jp-mlops-diff-same'
            }
          >
            {`${line.op} ${line.text}`}
          </div>
        ))}
      </pre>
    </div>
  );
}
