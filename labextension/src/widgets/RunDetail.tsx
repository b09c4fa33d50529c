/**
 * One run in a main-area tab: params, metric charts, editable name, tags and note,
 * artifacts, environment and the execution record.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import React, { useCallback, useEffect, useMemo, useState } from 'react';

import {
  ApiError,
  IArtifact,
  IEnvironment,
  IExecutedCell,
  IMetricSeries,
  IRunDetail,
  MlopsApi
} from '../api';
import { CommandIDs } from '../tokens';
import { lineChartSpec } from './charts';
import {
  formatBytes,
  formatDuration,
  formatNumber,
  formatTime,
  formatValue,
  runDuration,
  stripAnsi
} from './format';
import { StatusBadge } from './RunsPanel';
import { VegaChart } from './VegaChart';

const POLL_MS = 2000;
const CHART_POINTS = 1000;

export namespace RunDetailWidget {
  export interface IOptions {
    api: MlopsApi;
    commands: CommandRegistry;
    /** Directory whose store holds the run. */
    path: string;
    runId: string;
    /** Called after the run was changed from this view. */
    onChanged: () => void;
    /** Called with the run each time it is loaded (e.g. to title the tab). */
    onLoaded?: (run: IRunDetail) => void;
    /** Whether the view is on screen: a running run is refreshed only then. */
    isVisible?: () => boolean;
  }
}

export class RunDetailWidget extends ReactWidget {
  constructor(options: RunDetailWidget.IOptions) {
    super();
    this.options = options;
    this.addClass('jp-mlops-detail');
  }

  readonly options: RunDetailWidget.IOptions;

  protected render(): React.ReactElement {
    return <RunDetailView {...this.options} isVisible={this._isVisible} />;
  }

  private readonly _isVisible = (): boolean => this.isVisible;
}

function RunDetailView(props: RunDetailWidget.IOptions): React.ReactElement {
  const { api, path, runId, commands, onChanged, onLoaded, isVisible } = props;
  const [run, setRun] = useState<IRunDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [revision, setRevision] = useState(0);
  const [tick, setTick] = useState(0);

  const load = useCallback(async (): Promise<void> => {
    try {
      const loaded = await api.run(runId, path);
      setRun(loaded);
      setError(null);
      setRevision(r => r + 1);
      onLoaded?.(loaded);
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e))
      );
    }
  }, [api, runId, path, onLoaded]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (run?.status !== 'running') {
      return;
    }
    const timer = setTimeout(() => {
      if (isVisible?.() ?? true) {
        void load();
      } else {
        setTick(t => t + 1); // hidden: look again later without asking the server
      }
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [run, load, isVisible, tick]);

  const save = async (changes: {
    name?: string;
    note?: string;
    tags?: Record<string, string>;
  }): Promise<void> => {
    try {
      const updated = await api.updateRun(runId, changes, path);
      setRun(updated);
      setError(null);
      onLoaded?.(updated);
      onChanged();
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e))
      );
    }
  };

  if (!run) {
    return (
      <div className="jp-mlops-detail-body">
        {error ? <ErrorBox error={error} /> : <p>Loading run {runId}…</p>}
      </div>
    );
  }
  return (
    <div className="jp-mlops-detail-body" data-run-id={run.id}>
      <header className="jp-mlops-detail-header">
        <NameEditor name={run.name} onSave={name => void save({ name })} />
        <StatusBadge status={run.status} />
        <div className="jp-mlops-detail-actions">
          <button
            className="jp-mlops-button jp-mlops-open-snapshot"
            disabled={!run.has_snapshot}
            title={
              run.has_snapshot
                ? 'Open the notebook as it was when this run was tracked (read-only)'
                : 'This run has no notebook snapshot'
            }
            onClick={() =>
              void commands.execute(CommandIDs.openSnapshot, {
                id: run.id,
                path
              })
            }
          >
            Open snapshot
          </button>
          <button
            className="jp-mlops-button"
            disabled={!run.notebook_path}
            title={
              run.notebook_path
                ? 'Run the notebook again with some params changed'
                : 'This run was not made from a notebook'
            }
            onClick={() =>
              void commands.execute(CommandIDs.rerun, { id: run.id, path })
            }
          >
            Re-run…
          </button>
          <button
            className="jp-mlops-button jp-mlops-danger"
            onClick={() =>
              void commands.execute(CommandIDs.deleteRuns, {
                ids: [run.id],
                path
              })
            }
          >
            Delete…
          </button>
        </div>
      </header>
      {error && <ErrorBox error={error} />}
      <dl className="jp-mlops-facts">
        <dt>Id</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Experiment</dt>
        <dd>{run.experiment}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.started_at)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(runDuration(run))}</dd>
        <dt>Source</dt>
        <dd>
          {run.source}
          {run.notebook_path && (
            <>
              {' · '}
              <code>{run.notebook_path}</code>
            </>
          )}
        </dd>
        {run.parent_id && (
          <>
            <dt>Parent</dt>
            <dd>
              <code>{run.parent_id}</code>
            </dd>
          </>
        )}
      </dl>
      {run.error && <RunErrorBox run={run} />}
      <Section title="Params" count={Object.keys(run.params).length}>
        <KeyValueTable values={run.params} empty="no params" />
      </Section>
      <Section title="Metrics" count={run.metric_keys.length}>
        <MetricsSection api={api} path={path} run={run} revision={revision} />
      </Section>
      {Object.keys(run.outputs).length > 0 && (
        <Section title="Outputs" count={Object.keys(run.outputs).length}>
          <KeyValueTable values={run.outputs} empty="no outputs" />
        </Section>
      )}
      <Section title="Tags" count={Object.keys(run.tags).length}>
        <TagsEditor tags={run.tags} onSave={tags => void save({ tags })} />
      </Section>
      <Section title="Note">
        <NoteEditor note={run.note} onSave={note => void save({ note })} />
      </Section>
      <Section title="Artifacts" count={run.artifacts.length}>
        <ArtifactsList
          api={api}
          path={path}
          runId={run.id}
          artifacts={run.artifacts}
        />
      </Section>
      <Section title="Environment">
        <EnvironmentView env={run.env} />
      </Section>
      <Section title="Execution record" count={run.execution_record.length}>
        <ExecutionRecord cells={run.execution_record} />
      </Section>
    </div>
  );
}

export function ErrorBox(props: { error: ApiError }): React.ReactElement {
  return (
    <div className="jp-mlops-problem" role="alert">
      <p className="jp-mlops-problem-detail">{props.error.detail}</p>
    </div>
  );
}

function Section(props: {
  title: string;
  count?: number;
  children: React.ReactNode;
}): React.ReactElement {
  return (
    <section className="jp-mlops-section">
      <h3>
        {props.title}
        {props.count !== undefined && (
          <span className="jp-mlops-count">{props.count}</span>
        )}
      </h3>
      {props.children}
    </section>
  );
}

function KeyValueTable(props: {
  values: Record<string, unknown>;
  empty: string;
}): React.ReactElement {
  const keys = Object.keys(props.values).sort();
  if (!keys.length) {
    return <p className="jp-mlops-muted">{props.empty}</p>;
  }
  return (
    <table className="jp-mlops-kv-table">
      <tbody>
        {keys.map(key => (
          <tr key={key}>
            <th>{key}</th>
            <td>
              {formatValue(
                props.values[key] as Parameters<typeof formatValue>[0]
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NameEditor(props: {
  name: string;
  onSave: (name: string) => void;
}): React.ReactElement {
  const [value, setValue] = useState(props.name);
  useEffect(() => {
    setValue(props.name);
  }, [props.name]);
  const commit = (): void => {
    if (value.trim() && value !== props.name) {
      props.onSave(value);
    } else {
      setValue(props.name);
    }
  };
  return (
    <input
      className="jp-mlops-name-input"
      aria-label="Run name"
      value={value}
      onChange={event => {
        setValue(event.target.value);
      }}
      onBlur={commit}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          commit();
        } else if (event.key === 'Escape') {
          setValue(props.name);
        }
      }}
    />
  );
}

function TagsEditor(props: {
  tags: Record<string, string>;
  onSave: (tags: Record<string, string>) => void;
}): React.ReactElement {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const entries = Object.entries(props.tags).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const add = (): void => {
    if (!key.trim()) {
      return;
    }
    props.onSave({ ...props.tags, [key.trim()]: value });
    setKey('');
    setValue('');
  };
  return (
    <div className="jp-mlops-tags">
      <ul className="jp-mlops-tag-list">
        {entries.map(([k, v]) => (
          <li key={k} className="jp-mlops-tag">
            <span className="jp-mlops-tag-key">{k}</span>
            <span className="jp-mlops-tag-value">{v}</span>
            <button
              className="jp-mlops-tag-remove"
              aria-label={`Remove tag ${k}`}
              title="Remove this tag"
              onClick={() => {
                const next = { ...props.tags };
                // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
                delete next[k];
                props.onSave(next);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="jp-mlops-tag-form">
        <input
          aria-label="Tag name"
          placeholder="tag"
          value={key}
          onChange={event => {
            setKey(event.target.value);
          }}
        />
        <input
          aria-label="Tag value"
          placeholder="value"
          value={value}
          onChange={event => {
            setValue(event.target.value);
          }}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              add();
            }
          }}
        />
        <button
          className="jp-mlops-button"
          disabled={!key.trim()}
          onClick={add}
        >
          Add tag
        </button>
      </div>
    </div>
  );
}

function NoteEditor(props: {
  note: string;
  onSave: (note: string) => void;
}): React.ReactElement {
  const [text, setText] = useState(props.note);
  useEffect(() => {
    setText(props.note);
  }, [props.note]);
  return (
    <div className="jp-mlops-note">
      <textarea
        aria-label="Note"
        rows={3}
        value={text}
        placeholder="What was this run about?"
        onChange={event => {
          setText(event.target.value);
        }}
      />
      <button
        className="jp-mlops-button"
        disabled={text === props.note}
        onClick={() => {
          props.onSave(text);
        }}
      >
        Save note
      </button>
    </div>
  );
}

function MetricsSection(props: {
  api: MlopsApi;
  path: string;
  run: IRunDetail;
  revision: number;
}): React.ReactElement {
  const { run } = props;
  if (!run.metric_keys.length) {
    return <p className="jp-mlops-muted">no metrics</p>;
  }
  const main = run.metric_keys.filter(key => !key.startsWith('system/'));
  const system = run.metric_keys.filter(key => key.startsWith('system/'));
  const chart = (key: string): React.ReactElement => (
    <MetricChart
      key={key}
      api={props.api}
      path={props.path}
      runId={run.id}
      metric={key}
      last={run.metrics[key]}
      revision={props.revision}
    />
  );
  return (
    <div className="jp-mlops-metrics">
      {main.map(chart)}
      {system.length > 0 && (
        <details className="jp-mlops-system-metrics">
          <summary>{`System metrics (${system.length})`}</summary>
          {system.map(chart)}
        </details>
      )}
    </div>
  );
}

function MetricChart(props: {
  api: MlopsApi;
  path: string;
  runId: string;
  metric: string;
  last: number | undefined;
  revision: number;
}): React.ReactElement {
  const { api, path, runId, metric, revision } = props;
  const [series, setSeries] = useState<IMetricSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .metric(runId, metric, path, CHART_POINTS)
      .then(loaded => {
        if (!cancelled) {
          setSeries(loaded);
        }
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setError(e instanceof ApiError ? e.detail : String(e));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, path, runId, metric, revision]);
  const spec = useMemo(
    () =>
      series
        ? lineChartSpec(
            [{ label: runId, steps: series.steps, values: series.values }],
            metric
          )
        : null,
    [series, runId, metric]
  );
  return (
    <div className="jp-mlops-metric" data-metric={metric}>
      <div className="jp-mlops-metric-title">
        <strong>{metric}</strong>
        {props.last !== undefined && (
          <span className="jp-mlops-metric-last">{`last ${formatNumber(props.last)}`}</span>
        )}
        {series?.downsampled && (
          <span className="jp-mlops-muted">
            {`${series.steps.length} of ${series.total_points} points shown`}
          </span>
        )}
      </div>
      {error && <div className="jp-mlops-error-text">{error}</div>}
      {spec && series && series.steps.length > 1 && (
        <VegaChart spec={spec} label={`${metric} over steps`} />
      )}
    </div>
  );
}

function ArtifactsList(props: {
  api: MlopsApi;
  path: string;
  runId: string;
  artifacts: IArtifact[];
}): React.ReactElement {
  const [problem, setProblem] = useState<string | null>(null);
  if (!props.artifacts.length) {
    return <p className="jp-mlops-muted">no artifacts</p>;
  }
  const download = async (artifact: IArtifact): Promise<void> => {
    try {
      const blob = await props.api.artifact(
        props.runId,
        artifact.name,
        props.path
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = artifact.name.split('/').pop() ?? artifact.name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 10000);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof ApiError ? e.detail : String(e));
    }
  };
  return (
    <>
      <table className="jp-mlops-kv-table jp-mlops-artifacts">
        <tbody>
          {props.artifacts.map(artifact => (
            <tr key={artifact.name} data-artifact={artifact.name}>
              <th>{artifact.name}</th>
              <td>{formatBytes(artifact.size)}</td>
              <td>
                <button
                  className="jp-mlops-button jp-mlops-download"
                  onClick={() => void download(artifact)}
                >
                  Download
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem && <div className="jp-mlops-error-text">{problem}</div>}
    </>
  );
}

function packageList(packages: IEnvironment['packages']): string[] {
  if (!packages) {
    return [];
  }
  if (Array.isArray(packages)) {
    return packages.map(String);
  }
  return Object.entries(packages).map(
    ([name, version]) => `${name}==${version}`
  );
}

function EnvironmentView(props: { env: IEnvironment }): React.ReactElement {
  const { env } = props;
  const packages = packageList(env.packages).sort();
  const git = env.git;
  return (
    <dl className="jp-mlops-facts jp-mlops-env">
      <dt>Python</dt>
      <dd>{env.python ?? '–'}</dd>
      <dt>Platform</dt>
      <dd>{env.platform ?? '–'}</dd>
      <dt>Host</dt>
      <dd>{env.host ?? '–'}</dd>
      <dt>Git</dt>
      <dd>
        {git?.commit ? (
          <>
            <code>{git.commit.slice(0, 12)}</code>
            {git.branch && ` on ${git.branch}`}
            {git.dirty && (
              <span
                className="jp-mlops-badge jp-mlops-badge-warn"
                title="There were uncommitted changes"
              >
                dirty
              </span>
            )}
          </>
        ) : (
          'not in a git work tree'
        )}
      </dd>
      <dt>Packages</dt>
      <dd>
        {packages.length ? (
          <details>
            <summary>{`${packages.length} installed`}</summary>
            <pre className="jp-mlops-packages">{packages.join('\n')}</pre>
          </details>
        ) : (
          '–'
        )}
      </dd>
    </dl>
  );
}

function ExecutionRecord(props: {
  cells: IExecutedCell[];
}): React.ReactElement {
  if (!props.cells.length) {
    return <p className="jp-mlops-muted">no execution record</p>;
  }
  const stale = props.cells.filter(cell => cell.stale).length;
  const outOfOrder = props.cells.filter(cell => cell.out_of_order).length;
  return (
    <>
      <p className="jp-mlops-muted">
        Cells the kernel ran up to this run, in the order it ran them.
        {stale > 0 && ` ${stale} changed in the notebook since (stale).`}
        {outOfOrder > 0 && ` ${outOfOrder} ran out of notebook order.`}
      </p>
      <table className="jp-mlops-execution-record">
        <tbody>
          {props.cells.map(cell => (
            <tr
              key={cell.position}
              className={
                (cell.stale ? 'jp-mlops-stale ' : '') +
                (cell.out_of_order ? 'jp-mlops-out-of-order' : '')
              }
            >
              <td className="jp-mlops-exec-count">
                {`[${cell.execution_count ?? ' '}]`}
              </td>
              <td>
                <pre className="jp-mlops-source">{cell.source}</pre>
              </td>
              <td className="jp-mlops-marks">
                {cell.stale && (
                  <span
                    className="jp-mlops-badge jp-mlops-badge-warn"
                    title="This cell's source in the saved notebook differs from what ran"
                  >
                    stale
                  </span>
                )}
                {cell.out_of_order && (
                  <span
                    className="jp-mlops-badge jp-mlops-badge-warn"
                    title="This cell ran before a cell above it"
                  >
                    out of order
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function RunErrorBox(props: { run: IRunDetail }): React.ReactElement {
  const error = props.run.error;
  if (!error) {
    return <></>;
  }
  const traceback = Array.isArray(error.traceback)
    ? error.traceback.join('\n')
    : (error.traceback ?? '');
  return (
    <section className="jp-mlops-section jp-mlops-run-error">
      <h3>Error</h3>
      <p>
        <strong>{error.ename ?? 'Error'}</strong>
        {error.evalue ? `: ${error.evalue}` : ''}
        {error.cell !== undefined &&
          error.cell !== null &&
          ` (cell ${error.cell})`}
      </p>
      {traceback && (
        <pre className="jp-mlops-traceback">{stripAnsi(traceback)}</pre>
      )}
    </section>
  );
}
