import React, { useState } from 'react';

import { IExecutedCell } from '../payloads';

/** Lines of a cell shown before it is expanded (the rest with its button). */
const FOLDED_LINES = 4;

/** A cell's source, folded to its first lines until expanded. */
function CellSource(props: { source: string }): React.ReactElement {
  const [open, setOpen] = useState(false);
  const lines = props.source.split('\n').length;
  return (
    <>
      <pre className={`jp-mlops-source${open ? ' jp-mlops-expanded' : ''}`}>
        {props.source}
      </pre>
      {lines > FOLDED_LINES && (
        <button
          className="jp-mlops-link-button jp-mlops-source-toggle"
          aria-expanded={open}
          onClick={() => {
            setOpen(!open);
          }}
        >
          {open ? 'Show less' : `Show all ${lines} lines`}
        </button>
      )}
    </>
  );
}

/** The cells the kernel ran up to the run, in the order it ran them, marked when stale or out of order. */
export function ExecutionRecord(props: {
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
                <CellSource source={cell.source} />
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
