import React from 'react';

import { IMetricSeries, IRunDetail } from '../payloads';
import { MetricChart } from './MetricChart';

/** A chart for each of the run's metrics; system metrics folded away below them. */
export function MetricsSection(props: {
  run: IRunDetail;
  series: Readonly<Record<string, IMetricSeries>>;
  errors: Readonly<Record<string, string>>;
}): React.ReactElement {
  const { run } = props;
  if (!run.metric_keys.length) {
    return <p className="jp-mlops-muted">no metrics</p>;
  }
  const main = run.metric_keys.filter(key => !key.startsWith('system/'));
  const system = run.metric_keys.filter(key => key.startsWith('system/'));
  const chart = (key: string): React.ReactElement => (
    <MetricChart
      key={key}
      runId={run.id}
      metric={key}
      last={run.metrics[key]}
      series={props.series[key]}
      error={props.errors[key]}
    />
  );
  return (
    <div className="jp-mlops-metrics">
      {main.map(chart)}
      {system.length > 0 && (
        <details className="jp-mlops-system-metrics">
          <summary>{`System metrics (${system.length})`}</summary>
          {system.map(chart)}
        </details>
      )}
    </div>
  );
}
