import React, { useState } from 'react';

import {
  RUN_COLOURS,
  DEFAULT_CHART_OPTIONS,
  IChartOptions
} from '../metricSpecs';
import { IMetricSeries, IRunDetail } from '../payloads';
import { ChartControls } from './ChartControls';
import { MetricChart } from './MetricChart';

/** A chart for each of the run's metrics, drawn with one set of options; system metrics folded away below them. */
export function MetricsSection(props: {
  run: IRunDetail;
  series: Readonly<Record<string, IMetricSeries>>;
  errors: Readonly<Record<string, string>>;
}): React.ReactElement {
  const { run } = props;
  const [options, setOptions] = useState<IChartOptions>(DEFAULT_CHART_OPTIONS);
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
      colour={run.colour ?? RUN_COLOURS[0] ?? '#888'}
      startedAt={run.started_at}
      options={options}
      series={props.series[key]}
      error={props.errors[key]}
    />
  );
  return (
    <>
      <ChartControls
        options={options}
        onChange={change => {
          setOptions({ ...options, ...change });
        }}
      />
      <div className="jp-mlops-metrics">
        {main.map(chart)}
        {system.length > 0 && (
          <details className="jp-mlops-system-metrics">
            <summary>{`System metrics (${system.length})`}</summary>
            {system.map(chart)}
          </details>
        )}
      </div>
    </>
  );
}
