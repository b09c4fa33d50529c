import React from 'react';

import { IChartOptions, X_AXES, XAxis } from '../metricSpecs';
import { Picker } from './Picker';

const SMOOTHING = [0, 3, 5, 10, 25];

/** The x axis, log-y and smoothing of a view's metric charts. */
export function ChartControls(props: {
  options: IChartOptions;
  onChange: (options: Partial<IChartOptions>) => void;
}): React.ReactElement {
  const { options, onChange } = props;
  return (
    <div
      className="jp-mlops-chart-controls"
      role="group"
      aria-label="Chart options"
    >
      <Picker
        label="x axis"
        value={options.x}
        options={X_AXES}
        onChange={value => {
          onChange({ x: value as XAxis });
        }}
      />
      <label className="jp-mlops-chart-option">
        <input
          type="checkbox"
          checked={options.logY}
          onChange={() => {
            onChange({ logY: !options.logY });
          }}
        />
        log y
      </label>
      <Picker
        label="smoothing"
        value={String(options.smoothing)}
        options={SMOOTHING.map(n => ({
          value: String(n),
          label: n ? `mean of ${n}` : 'none'
        }))}
        onChange={value => {
          onChange({ smoothing: Number(value) });
        }}
      />
    </div>
  );
}
