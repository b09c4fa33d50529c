import React from 'react';

import { RunsModel } from '../model';

/** Which runs of how many the table shows, with the previous and next page. */
export function Pager(props: { model: RunsModel }): React.ReactElement | null {
  const { offset, limit, total, counted, runs } = props.model.state;
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
        {`${offset + 1}–${offset + runs.length} of ${counted ? total : '…'}`}
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
