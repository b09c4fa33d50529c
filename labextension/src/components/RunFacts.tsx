import React from 'react';

import { formatDuration, formatTime, runDuration } from '../format';
import { IRun } from '../payloads';

/** A run id that opens that run's detail. */
function RunLink(props: {
  id: string;
  onOpen?: (id: string) => void;
}): React.ReactElement {
  const { id, onOpen } = props;
  if (!onOpen) {
    return <code>{id}</code>;
  }
  return (
    <button
      className="jp-mlops-link-button jp-mlops-run-link"
      data-run-id={id}
      title={`Open run ${id}`}
      onClick={() => {
        onOpen(id);
      }}
    >
      <code>{id}</code>
    </button>
  );
}

/**
 * What identifies a run: id, experiment, start, duration, source, its parent and the run
 * it re-runs (both open that run).
 */
export function RunFacts(props: {
  run: IRun;
  onOpen?: (id: string) => void;
}): React.ReactElement {
  const { run, onOpen } = props;
  const rerunOf = run.tags['rerun_of'];
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
            <RunLink id={run.parent_id} onOpen={onOpen} />
          </dd>
        </>
      )}
      {rerunOf && (
        <>
          <dt>Re-run of</dt>
          <dd>
            <RunLink id={rerunOf} onOpen={onOpen} />
          </dd>
        </>
      )}
    </dl>
  );
}
