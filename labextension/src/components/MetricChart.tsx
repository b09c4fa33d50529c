import React, { useMemo } from 'react';

import { lineChartSpec } from '../charts';
import { formatNumber } from '../format';
import { IMetricSeries } from '../payloads';
import { ChartPlaceholder } from './Loading';
import { VegaChart } from './VegaChart';

/** One metric of a run: its last value and its history over steps. */
export function MetricChart(props: {
  runId: string;
  metric: string;
  last: number | undefined;
  /** The history, once fetched. */
  series: IMetricSeries | undefined;
  /** Why the history could not be fetched. */
  error: string | undefined;
}): React.ReactElement {
  const { runId, metric, series, error } = props;
  const spec = useMemo(
    () =>
      series
        ? lineChartSpec(
            [{ label: runId, steps: series.steps, values: series.values }],
            metric
          )
        : null,
    [series, runId, metric]
  );
  return (
    <div className="jp-mlops-metric" data-metric={metric}>
      <div className="jp-mlops-metric-title">
        <strong>{metric}</strong>
        {props.last !== undefined && (
          <span className="jp-mlops-metric-last">{`last ${formatNumber(props.last)}`}</span>
        )}
        {series?.downsampled && (
          <span className="jp-mlops-muted">
            {`${series.steps.length} of ${series.total_points} points shown`}
          </span>
        )}
      </div>
      {error && <div className="jp-mlops-error-text">{error}</div>}
      {!series && !error && (
        <ChartPlaceholder label={`Loading the history of ${metric}…`} />
      )}
      {spec && series && series.steps.length > 1 && (
        <VegaChart spec={spec} label={`${metric} over steps`} />
      )}
    </div>
  );
}
