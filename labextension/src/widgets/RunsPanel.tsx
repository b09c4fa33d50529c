/**
 * The sidebar: experiment picker, filter box, runs table with chosen columns, pager
 * and actions on the selected runs.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import React, { useEffect, useRef, useState } from 'react';

import { ApiError, IRun } from '../api';
import { fieldName, IColumns, RunsModel } from '../model';
import { CommandIDs, SIDEBAR_ID } from '../tokens';
import {
  formatDuration,
  formatNumber,
  formatShortTime,
  formatTime,
  formatValue,
  runDuration
} from './format';
import { useSignal } from './hooks';

const FILTER_DELAY_MS = 400;

export class RunsPanel extends ReactWidget {
  constructor(options: { model: RunsModel; commands: CommandRegistry }) {
    super();
    this.model = options.model;
    this._commands = options.commands;
    this.id = SIDEBAR_ID;
    this.addClass('jp-mlops-sidebar');
  }

  readonly model: RunsModel;

  /** A warning shown at the top of the panel (e.g. a version mismatch); null clears it. */
  setNotice(notice: string | null): void {
    this._notice = notice;
    this.update();
  }

  get notice(): string | null {
    return this._notice;
  }

  protected render(): React.ReactElement {
    return (
      <RunsView
        model={this.model}
        commands={this._commands}
        notice={this._notice}
      />
    );
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible(this.isVisible);
  }

  protected override onBeforeDetach(msg: Message): void {
    this.model.setVisible(false);
    super.onBeforeDetach(msg);
  }

  private readonly _commands: CommandRegistry;
  private _notice: string | null = null;
}

function RunsView(props: {
  model: RunsModel;
  commands: CommandRegistry;
  notice: string | null;
}): React.ReactElement {
  const { model, commands } = props;
  useSignal(model.stateChanged);
  useSignal(model.selectionChanged);
  const state = model.state;
  return (
    <div className="jp-mlops-panel">
      <div className="jp-mlops-panel-header">
        <h2>Runs</h2>
        <span className="jp-mlops-store" title={state.store}>
          {state.path ? `/${state.path}` : '/'}
        </span>
        <button
          className="jp-mlops-button jp-mlops-icon-button"
          title="Refresh"
          aria-label="Refresh"
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
      </div>
      {props.notice && (
        <div className="jp-mlops-notice" role="alert">
          {props.notice}
        </div>
      )}
      <div className="jp-mlops-toolbar">
        <ExperimentPicker model={model} />
        <ColumnsMenu model={model} />
      </div>
      <FilterBox model={model} />
      {state.error ? (
        <StoreProblem
          error={state.error}
          onRetry={() => void model.refresh()}
        />
      ) : (
        <RunsTable model={model} commands={commands} />
      )}
      <Pager model={model} />
      <SelectionBar model={model} commands={commands} />
    </div>
  );
}

function ExperimentPicker(props: { model: RunsModel }): React.ReactElement {
  const { experiments, experiment } = props.model.state;
  return (
    <label className="jp-mlops-experiment">
      <span>Experiment</span>
      <select
        className="jp-mlops-experiment-select"
        value={experiment}
        onChange={event => void props.model.setExperiment(event.target.value)}
      >
        <option value="">All experiments</option>
        {experiments.map(name => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function ColumnsMenu(props: { model: RunsModel }): React.ReactElement {
  const { available, columns } = props.model.state;
  const keys = (kind: keyof IColumns): string[] => [
    ...new Set([...available[kind], ...columns[kind]])
  ];
  const section = (kind: keyof IColumns): React.ReactElement[] =>
    keys(kind).map(key => (
      <label key={`${kind}.${key}`} className="jp-mlops-column-choice">
        <input
          type="checkbox"
          checked={columns[kind].includes(key)}
          onChange={() => {
            props.model.toggleColumn(kind, key);
          }}
        />
        {`${kind}.${key}`}
      </label>
    ));
  const choices = [...section('params'), ...section('metrics')];
  return (
    <details className="jp-mlops-columns">
      <summary>Columns</summary>
      <div className="jp-mlops-columns-list">
        {choices.length ? (
          choices
        ) : (
          <span className="jp-mlops-muted">no params or metrics yet</span>
        )}
      </div>
    </details>
  );
}

function FilterBox(props: { model: RunsModel }): React.ReactElement {
  const { model } = props;
  const [text, setText] = useState(model.state.filter);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const error = model.state.filterError;

  const apply = (value: string): void => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (value !== model.state.filter || model.state.filterError) {
      void model.setFilter(value);
    }
  };

  useEffect(
    () => () => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  const position = error?.position ?? null;
  const reason = error?.extra['reason'];
  return (
    <div className="jp-mlops-filter">
      <input
        className="jp-mlops-filter-input"
        type="search"
        spellCheck={false}
        value={text}
        aria-invalid={error !== null}
        aria-label="Filter runs"
        placeholder="filter: metrics.acc > 0.9 and params.lr < 0.1"
        onChange={event => {
          const value = event.target.value;
          setText(value);
          if (timer.current !== null) {
            clearTimeout(timer.current);
          }
          timer.current = setTimeout(() => {
            apply(value);
          }, FILTER_DELAY_MS);
        }}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            apply(text);
          }
        }}
      />
      {error && (
        <div className="jp-mlops-filter-error" role="alert">
          <div>
            {typeof reason === 'string' ? reason : error.detail}
            {position !== null && ` (at character ${position + 1})`}
          </div>
          {position !== null && (
            <pre className="jp-mlops-filter-pointer">
              {model.state.filter}
              {'\n'}
              {' '.repeat(position)}^
            </pre>
          )}
        </div>
      )}
    </div>
  );
}

const PROBLEM_TITLES: Record<string, string> = {
  store_unavailable: 'The run store cannot be opened',
  path_outside_root: 'This folder is outside the server root',
  path_not_found: 'This folder does not exist',
  network_error: 'The Jupyter server cannot be reached',
  extension_missing: 'The jupyter-mlops server extension is not running'
};

function StoreProblem(props: {
  error: ApiError;
  onRetry: () => void;
}): React.ReactElement {
  return (
    <div className="jp-mlops-problem" role="alert">
      <strong>
        {PROBLEM_TITLES[props.error.code] ?? 'Runs cannot be listed'}
      </strong>
      <p className="jp-mlops-problem-detail">{props.error.detail}</p>
      <button className="jp-mlops-button" onClick={props.onRetry}>
        Retry
      </button>
    </div>
  );
}

interface IColumn {
  field: string;
  label: string;
  title: string;
  kind: 'attribute' | 'params' | 'metrics';
  render: (run: IRun) => string;
}

function tableColumns(columns: IColumns): IColumn[] {
  return [
    {
      field: 'status',
      label: '',
      title: 'status',
      kind: 'attribute',
      render: run => run.status
    },
    {
      field: 'name',
      label: 'Name',
      title: 'name',
      kind: 'attribute',
      render: run => run.name
    },
    {
      field: 'started_at',
      label: 'Started',
      title: 'started_at',
      kind: 'attribute',
      render: run => formatShortTime(run.started_at)
    },
    {
      field: 'duration',
      label: 'Duration',
      title: 'duration',
      kind: 'attribute',
      render: run => formatDuration(runDuration(run))
    },
    ...columns.metrics.map((key): IColumn => ({
      field: fieldName('metrics', key),
      label: key,
      title: `metrics.${key}`,
      kind: 'metrics',
      render: run => {
        const value = run.metrics[key];
        return value === undefined ? '' : formatNumber(value);
      }
    })),
    ...columns.params.map((key): IColumn => ({
      field: fieldName('params', key),
      label: key,
      title: `params.${key}`,
      kind: 'params',
      render: run => formatValue(run.params[key])
    }))
  ];
}

function RunsTable(props: {
  model: RunsModel;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, commands } = props;
  const { runs, sort, columns, loading, filter, store } = model.state;
  const selected = model.selected;
  const cols = tableColumns(columns);
  const allSelected =
    runs.length > 0 && runs.every(run => selected.has(run.id));

  if (runs.length === 0) {
    return (
      <div className="jp-mlops-empty">
        {loading ? (
          'Loading runs…'
        ) : filter || model.state.experiment ? (
          'No runs match.'
        ) : (
          <>
            <p>No runs yet in the store at</p>
            <code className="jp-mlops-path">{store || 'this folder'}</code>
            <p>
              Put <code>%load_ext jupyter_mlops</code> in a notebook and{' '}
              <code>%%track</code> at the top of a cell (the “Track this cell”
              button of the notebook toolbar does it), then run the cell.
            </p>
          </>
        )}
      </div>
    );
  }

  return (
    <div className="jp-mlops-table-wrapper">
      <table className="jp-mlops-runs-table">
        <thead>
          <tr>
            <th className="jp-mlops-select-cell">
              <input
                type="checkbox"
                aria-label="Select all runs on this page"
                checked={allSelected}
                onChange={() => {
                  model.setSelected(
                    allSelected
                      ? [...selected].filter(id => !runs.some(r => r.id === id))
                      : [...selected, ...runs.map(run => run.id)]
                  );
                }}
              />
            </th>
            {cols.map(col => {
              const active = sort?.field === col.field;
              return (
                <th
                  key={col.field}
                  title={`Sort by ${col.title}`}
                  className={`jp-mlops-col-${col.kind}${active ? ' jp-mlops-sorted' : ''}`}
                  aria-sort={
                    active
                      ? sort.descending
                        ? 'descending'
                        : 'ascending'
                      : 'none'
                  }
                  data-field={col.field}
                  onClick={() => void model.sortBy(col.field)}
                >
                  {col.label}
                  {active && (sort.descending ? ' ▼' : ' ▲')}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {runs.map(run => (
            <tr
              key={run.id}
              data-run-id={run.id}
              data-status={run.status}
              className={`jp-mlops-run-row${selected.has(run.id) ? ' jp-mlops-selected' : ''}`}
              title={`${run.name} (${run.id}) — click for details`}
              onClick={() =>
                void commands.execute(CommandIDs.openRun, {
                  id: run.id,
                  path: model.state.path
                })
              }
            >
              <td
                className="jp-mlops-select-cell"
                onClick={event => {
                  event.stopPropagation();
                }}
              >
                <input
                  type="checkbox"
                  aria-label={`Select run ${run.name}`}
                  checked={selected.has(run.id)}
                  onChange={() => {
                    model.toggleSelected(run.id);
                  }}
                />
              </td>
              {cols.map(col =>
                col.field === 'status' ? (
                  <td key={col.field} className="jp-mlops-status-cell">
                    <StatusBadge status={run.status} compact />
                  </td>
                ) : col.field === 'started_at' ? (
                  <td key={col.field} title={formatTime(run.started_at)}>
                    {col.render(run)}
                  </td>
                ) : (
                  <td key={col.field} className={`jp-mlops-col-${col.kind}`}>
                    {col.render(run)}
                  </td>
                )
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A run's status: a coloured dot, with its name shown unless `compact`. */
export function StatusBadge(props: {
  status: string;
  compact?: boolean;
}): React.ReactElement {
  return (
    <span
      className={`jp-mlops-status jp-mlops-status-${props.status}`}
      title={props.status}
    >
      <span className={props.compact ? 'jp-mlops-visually-hidden' : ''}>
        {props.status}
      </span>
    </span>
  );
}

function Pager(props: { model: RunsModel }): React.ReactElement | null {
  const { offset, limit, total, runs } = props.model.state;
  if (total === 0) {
    return null;
  }
  return (
    <div className="jp-mlops-pager">
      <button
        className="jp-mlops-button"
        disabled={offset === 0}
        aria-label="Previous page"
        onClick={() => void props.model.previousPage()}
      >
        ‹
      </button>
      <span className="jp-mlops-page-info">
        {`${offset + 1}–${offset + runs.length} of ${total}`}
      </span>
      <button
        className="jp-mlops-button"
        disabled={offset + limit >= total}
        aria-label="Next page"
        onClick={() => void props.model.nextPage()}
      >
        ›
      </button>
    </div>
  );
}

function SelectionBar(props: {
  model: RunsModel;
  commands: CommandRegistry;
}): React.ReactElement | null {
  const { model, commands } = props;
  const count = model.selected.size;
  if (count === 0) {
    return null;
  }
  const run = (id: string): void => {
    void commands.execute(id);
  };
  return (
    <div className="jp-mlops-selection-bar">
      <span>{`${count} selected`}</span>
      <button
        className="jp-mlops-button jp-mlops-compare-button"
        disabled={count < 2}
        onClick={() => {
          run(CommandIDs.compare);
        }}
      >
        Compare
      </button>
      <button
        className="jp-mlops-button"
        disabled={count !== 1}
        onClick={() => {
          run(CommandIDs.rerun);
        }}
      >
        Re-run
      </button>
      <button
        className="jp-mlops-button"
        onClick={() => {
          run(CommandIDs.tag);
        }}
      >
        Tag
      </button>
      <button
        className="jp-mlops-button jp-mlops-danger"
        onClick={() => {
          run(CommandIDs.deleteRuns);
        }}
      >
        Delete
      </button>
      <button
        className="jp-mlops-button jp-mlops-link-button"
        onClick={() => {
          model.setSelected([]);
        }}
      >
        Clear
      </button>
    </div>
  );
}
