import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { IRunDetail } from '../payloads';
import { CommandIDs } from '../tokens';

/** The run detail's buttons: open the snapshot, re-run, delete (through the commands). */
export function RunActions(props: {
  run: IRunDetail;
  /** Directory whose store holds the run. */
  path: string;
  commands: CommandRegistry;
}): React.ReactElement {
  const { run, path, commands } = props;
  return (
    <div className="jp-mlops-detail-actions">
      <button
        className="jp-mlops-button jp-mlops-open-snapshot"
        disabled={!run.has_snapshot}
        title={
          run.has_snapshot
            ? 'Open the notebook as it was when this run was tracked (read-only)'
            : 'This run has no notebook snapshot'
        }
        onClick={() =>
          void commands.execute(CommandIDs.openSnapshot, {
            id: run.id,
            path
          })
        }
      >
        Open snapshot
      </button>
      <button
        className="jp-mlops-button"
        disabled={!run.notebook_path}
        title={
          run.notebook_path
            ? 'Run the notebook again with some params changed'
            : 'This run was not made from a notebook'
        }
        onClick={() =>
          void commands.execute(CommandIDs.rerun, { id: run.id, path })
        }
      >
        Re-run…
      </button>
      <button
        className="jp-mlops-button jp-mlops-danger"
        onClick={() =>
          void commands.execute(CommandIDs.deleteRuns, {
            ids: [run.id],
            path
          })
        }
      >
        Delete…
      </button>
    </div>
  );
}
