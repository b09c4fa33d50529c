import React from 'react';

import { stripAnsi } from '../format';
import { IRunError } from '../payloads';

/** Why a run failed: the exception, the cell it was raised in, and its traceback. */
export function RunErrorBox(props: { error: IRunError }): React.ReactElement {
  const { error } = props;
  const traceback = Array.isArray(error.traceback)
    ? error.traceback.join('\n')
    : (error.traceback ?? '');
  return (
    <section className="jp-mlops-section jp-mlops-run-error">
      <h3>Error</h3>
      <p>
        <strong>{error.ename ?? 'Error'}</strong>
        {error.evalue ? `: ${error.evalue}` : ''}
        {error.cell !== undefined &&
          error.cell !== null &&
          ` (cell ${error.cell})`}
      </p>
      {traceback && (
        <pre className="jp-mlops-traceback">{stripAnsi(traceback)}</pre>
      )}
    </section>
  );
}
