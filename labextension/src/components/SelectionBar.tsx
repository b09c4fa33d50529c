import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { RunsModel } from '../model';
import { CommandIDs } from '../tokens';

/** What can be done with the selected runs: compare, re-run, tag, delete. */
export function SelectionBar(props: {
  model: RunsModel;
  commands: CommandRegistry;
}): React.ReactElement | null {
  const { model, commands } = props;
  const count = model.selected.size;
  if (count === 0) {
    return null;
  }
  const run = (id: string): void => {
    void commands.execute(id);
  };
  return (
    <div className="jp-mlops-selection-bar">
      <span>{`${count} selected`}</span>
      <button
        className="jp-mlops-button jp-mlops-compare-button"
        disabled={count < 2}
        onClick={() => {
          run(CommandIDs.compare);
        }}
      >
        Compare
      </button>
      <button
        className="jp-mlops-button"
        disabled={count !== 1}
        onClick={() => {
          run(CommandIDs.rerun);
        }}
      >
        Re-run
      </button>
      <button
        className="jp-mlops-button"
        onClick={() => {
          run(CommandIDs.tag);
        }}
      >
        Tag
      </button>
      <button
        className="jp-mlops-button jp-mlops-danger"
        onClick={() => {
          run(CommandIDs.deleteRuns);
        }}
      >
        Delete
      </button>
      <button
        className="jp-mlops-button jp-mlops-link-button"
        onClick={() => {
          model.setSelected([]);
        }}
      >
        Clear
      </button>
    </div>
  );
}
