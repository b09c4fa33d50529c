import React, { useState } from 'react';

import { ICellDiff } from '../payloads';
import { CellChange } from './CellChange';

/** The cells that differ between two runs' snapshots (the unchanged ones on request). */
export function CellDiffView(props: { diff: ICellDiff }): React.ReactElement {
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
