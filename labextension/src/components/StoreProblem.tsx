import React from 'react';

import { ApiError } from '../api';

const PROBLEM_TITLES: Record<string, string> = {
  store_unavailable: 'The run store cannot be opened',
  path_outside_root: 'This folder is outside the server root',
  path_not_found: 'This folder does not exist',
  network_error: 'The Jupyter server cannot be reached',
  extension_missing: 'The jupyter-mlops server extension is not running'
};

/** Why the runs cannot be listed, in place of the table, with a way to try again. */
export function StoreProblem(props: {
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
