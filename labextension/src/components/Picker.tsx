import React from 'react';

/** A labelled choice of one value (a metric key, a run), shown with its label. */
export function Picker(props: {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}): React.ReactElement {
  return (
    <label className="jp-mlops-metric-picker">
      {props.label}{' '}
      <select
        value={props.value}
        onChange={event => {
          props.onChange(event.target.value);
        }}
      >
        {props.options.map(option => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
