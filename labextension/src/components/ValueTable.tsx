import React, { useState } from 'react';

import { formatNumber, formatValue, runLabel } from '../format';
import { IRun, IValueRow, JSONValue } from '../payloads';

/** A comparison's params or metrics: a row per key, a column per run, differing rows marked. */
export function ValueTable(props: {
  title: string;
  runs: IRun[];
  rows: IValueRow[];
  kind: 'params' | 'metrics';
}): React.ReactElement {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const rows = onlyDifferences
    ? props.rows.filter(row => row.differs)
    : props.rows;
  const show = (value: JSONValue | undefined): string =>
    value === undefined
      ? '–'
      : typeof value === 'number'
        ? formatNumber(value)
        : formatValue(value);
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
