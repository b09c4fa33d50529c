import React from 'react';

import { runLabel } from '../format';
import { ICellDiff, IRun } from '../payloads';
import { CellDiffView } from './CellDiffView';
import { Picker } from './Picker';

/** The notebook cells of two of the compared runs, diffed; with 3 or more runs, which two. */
export function CellDiffSection(props: {
  runs: readonly IRun[];
  pair: readonly [string, string];
  diff: ICellDiff | null;
  problem: string | null;
  onPair: (a: string, b: string) => void;
}): React.ReactElement {
  const { runs, pair, diff } = props;
  const [a, b] = pair;
  const options = runs.map(run => ({ value: run.id, label: runLabel(run) }));
  return (
    <section className="jp-mlops-section jp-mlops-cell-diff">
      <h3>Notebook cells</h3>
      {runs.length > 2 && (
        <div className="jp-mlops-toolbar">
          <Picker
            label="From"
            value={a}
            options={options}
            onChange={id => {
              props.onPair(id, b);
            }}
          />
          <Picker
            label="to"
            value={b}
            options={options}
            onChange={id => {
              props.onPair(a, id);
            }}
          />
        </div>
      )}
      {props.problem && (
        <div className="jp-mlops-error-text">{props.problem}</div>
      )}
      {diff && <CellDiffView diff={diff} />}
    </section>
  );
}
