import React from 'react';

import { IColumns, RunsModel } from '../model';

/** Which param, metric and tag columns the runs table shows; until one is picked they follow
 * the runs shown (the params that vary, the metric sorted by). */
export function ColumnsMenu(props: { model: RunsModel }): React.ReactElement {
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
  const choices = [
    ...section('params'),
    ...section('metrics'),
    ...section('tags')
  ];
  return (
    <details className="jp-mlops-columns">
      <summary>Columns</summary>
      <div className="jp-mlops-columns-list">
        {choices.length ? (
          choices
        ) : (
          <span className="jp-mlops-muted">no params, metrics or tags yet</span>
        )}
        {props.model.state.columnsChosen && (
          <button
            className="jp-mlops-link-button"
            onClick={() => {
              props.model.resetColumns();
            }}
          >
            Back to the automatic columns
          </button>
        )}
      </div>
    </details>
  );
}
