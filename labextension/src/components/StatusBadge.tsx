import React from 'react';

/** A run's status: a coloured dot, with its name shown unless `compact`. */
export function StatusBadge(props: {
  status: string;
  compact?: boolean;
}): React.ReactElement {
  return (
    <span
      className={`jp-mlops-status jp-mlops-status-${props.status}`}
      title={props.status}
    >
      <span className={props.compact ? 'jp-mlops-visually-hidden' : ''}>
        {props.status}
      </span>
    </span>
  );
}
