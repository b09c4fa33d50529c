import React, { useState } from 'react';

import { formatNumber, formatValue, runLabel } from '../format';
import { Direction, IRun, IValueRow, JSONValue } from '../payloads';

function show(value: JSONValue | undefined): string {
  return value === undefined
    ? '–'
    : typeof value === 'number'
      ? formatNumber(value)
      : formatValue(value);
}

/** `value` less the first run's `first`, signed; null when either is not a finite number. */
export function difference(
  value: JSONValue | undefined,
  first: JSONValue | undefined
): string | null {
  if (
    typeof value !== 'number' ||
    typeof first !== 'number' ||
    !Number.isFinite(value) ||
    !Number.isFinite(first) ||
    value === first
  ) {
    return null;
  }
  const delta = value - first;
  return `${delta > 0 ? '+' : '−'}${formatNumber(Math.abs(delta))}`;
}

/** A run's colour, as its lines have it in every chart of the comparison. */
export function ColourChip(props: {
  colour: string | undefined;
}): React.ReactElement {
  return (
    <span
      className="jp-mlops-colour-chip"
      style={{ background: props.colour ?? 'transparent' }}
      aria-hidden="true"
    />
  );
}

function DirectionButton(props: {
  row: IValueRow;
  overridden: boolean;
  onDirection: (key: string, direction: Direction | null) => void;
}): React.ReactElement | null {
  const { row } = props;
  if (!row.direction) {
    return null;
  }
  const lower = row.direction === 'min';
  const now = lower ? 'lower is better' : 'higher is better';
  const then = lower ? 'higher' : 'lower';
  return (
    <button
      className="jp-mlops-direction"
      data-direction={row.direction}
      aria-label={`${row.key}: ${now}; click to say ${then} is better`}
      title={`${now}${props.overridden ? ' (your choice)' : ' (from its name)'}; click to say ${then} is better`}
      onClick={() => {
        props.onDirection(
          row.key,
          props.overridden ? null : lower ? 'max' : 'min'
        );
      }}
    >
      {lower ? '↓' : '↑'}
    </button>
  );
}

/**
 * A comparison's params or metrics: a row per key, a column per run (its colour chip in the
 * header), differing rows marked, each value's difference from the first run, and for metrics
 * the best value marked by the server's direction rule.
 */
export function ValueTable(props: {
  title: string;
  runs: IRun[];
  rows: IValueRow[];
  kind: 'params' | 'metrics';
  colours: Readonly<Record<string, string>>;
  overrides?: Readonly<Record<string, Direction>>;
  onDirection?: (key: string, direction: Direction | null) => void;
}): React.ReactElement {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const rows = onlyDifferences
    ? props.rows.filter(row => row.differs)
    : props.rows;
  const first = props.runs[0]?.id ?? '';
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
          <table
            className={`jp-mlops-diff-table jp-mlops-compare-table jp-mlops-${props.kind}-diff`}
          >
            <thead>
              <tr>
                <th />
                {props.runs.map((run, i) => (
                  <th key={run.id} title={run.id} data-run={run.id}>
                    <ColourChip colour={props.colours[run.id]} />
                    {runLabel(run)}
                    {i === 0 && props.runs.length > 1 && (
                      <span className="jp-mlops-muted jp-mlops-baseline">
                        {' '}
                        (differences from this run)
                      </span>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(row => {
                const best = new Set(row.best ?? []);
                return (
                  <tr
                    key={row.key}
                    data-key={row.key}
                    className={row.differs ? 'jp-mlops-differs' : ''}
                  >
                    <th>
                      {row.key}
                      {props.onDirection && (
                        <DirectionButton
                          row={row}
                          overridden={row.key in (props.overrides ?? {})}
                          onDirection={props.onDirection}
                        />
                      )}
                    </th>
                    {props.runs.map(run => {
                      const value = row.values[run.id];
                      const delta =
                        run.id === first
                          ? null
                          : difference(value, row.values[first]);
                      const isBest = best.has(run.id);
                      return (
                        <td
                          key={run.id}
                          data-run={run.id}
                          className={isBest ? 'jp-mlops-best' : undefined}
                          title={
                            isBest
                              ? `best: ${row.direction === 'min' ? 'lowest' : 'highest'}`
                              : undefined
                          }
                        >
                          {isBest && (
                            <span
                              className="jp-mlops-best-mark"
                              aria-label="best"
                            >
                              ★{' '}
                            </span>
                          )}
                          {show(value)}
                          {delta && (
                            <span className="jp-mlops-delta">{` ${delta}`}</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
