import React from 'react';

import { ApiError } from '../api';

/** An API error's message, announced to screen readers. */
export function ErrorBox(props: { error: ApiError }): React.ReactElement {
  return (
    <div className="jp-mlops-problem" role="alert">
      <p className="jp-mlops-problem-detail">{props.error.detail}</p>
    </div>
  );
}
