import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { tableColumns } from '../columns';
import { formatTime } from '../format';
import { RunsModel } from '../model';
import { CommandIDs } from '../tokens';
import { ReproducedBadge } from './ReproducedBadge';
import { StatusBadge } from './StatusBadge';

/**
 * The runs of the current page: a row each (click opens the run), a checkbox to select
 * it, headers that sort; or what to do when there are none.
 */
export function RunsTable(props: {
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
                    <ReproducedBadge tags={run.tags} compact />
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
