import React from 'react';

import { ICellChange } from '../payloads';

function lineClass(op: string): string {
  return op === '+'
    ? 'jp-mlops-diff-add'
    : op === '-'
      ? 'jp-mlops-diff-del'
      : 'jp-mlops-diff-same';
}

/** One notebook cell that was added, removed, changed or kept, with its line diff. */
export function CellChange(props: { cell: ICellChange }): React.ReactElement {
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
          <div key={i} className={lineClass(line.op)}>
            {`${line.op} ${line.text}`}
          </div>
        ))}
      </pre>
    </div>
  );
}
