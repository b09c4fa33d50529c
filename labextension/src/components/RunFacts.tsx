import React from 'react';

import { formatDuration, formatTime, runDuration } from '../format';
import { IRun } from '../payloads';

/** What identifies a run: id, experiment, start, duration, source and parent. */
export function RunFacts(props: { run: IRun }): React.ReactElement {
  const { run } = props;
  return (
    <dl className="jp-mlops-facts">
      <dt>Id</dt>
      <dd>
        <code>{run.id}</code>
      </dd>
      <dt>Experiment</dt>
      <dd>{run.experiment}</dd>
      <dt>Started</dt>
      <dd>{formatTime(run.started_at)}</dd>
      <dt>Duration</dt>
      <dd>{formatDuration(runDuration(run))}</dd>
      <dt>Source</dt>
      <dd>
        {run.source}
        {run.notebook_path && (
          <>
            {' · '}
            <code>{run.notebook_path}</code>
          </>
        )}
      </dd>
      {run.parent_id && (
        <>
          <dt>Parent</dt>
          <dd>
            <code>{run.parent_id}</code>
          </dd>
        </>
      )}
    </dl>
  );
}
