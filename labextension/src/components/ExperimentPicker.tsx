import React from 'react';

import { RunsModel } from '../model';

/** The experiment whose runs the sidebar lists, or all of them. */
export function ExperimentPicker(props: {
  model: RunsModel;
}): React.ReactElement {
  const { experiments, experiment } = props.model.state;
  return (
    <label className="jp-mlops-experiment">
      <span>Experiment</span>
      <select
        className="jp-mlops-experiment-select"
        value={experiment}
        onChange={event => void props.model.setExperiment(event.target.value)}
      >
        <option value="">All experiments</option>
        {experiments.map(name => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
