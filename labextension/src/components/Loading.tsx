import React from 'react';

/** A thin moving bar that says the list under it is being loaded again. */
export function LoadingBar(props: { label: string }): React.ReactElement {
  return (
    <div
      className="jp-mlops-loading-bar"
      role="progressbar"
      aria-label={props.label}
      title={props.label}
    />
  );
}

/** Where a chart will be, while its data loads or it is drawn: as tall as the chart. */
export function ChartPlaceholder(props: {
  label: string;
  height?: number;
}): React.ReactElement {
  return (
    <div
      className="jp-mlops-chart-placeholder"
      role="status"
      aria-busy="true"
      style={{ height: props.height ?? 200 }}
    >
      <span className="jp-mlops-spinner" aria-hidden="true" />
      <span>{props.label}</span>
    </div>
  );
}
