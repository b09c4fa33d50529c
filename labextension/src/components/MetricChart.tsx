import React, { useMemo } from 'react';

import { formatNumber } from '../format';
import { IChartOptions, metricHistorySpec, titled } from '../metricSpecs';
import { IMetricSeries } from '../payloads';
import { ChartPlaceholder } from './Loading';
import { VegaChart } from './VegaChart';

/** One metric of a run: its last value and its history, drawn as the view's options say. */
export function MetricChart(props: {
  runId: string;
  metric: string;
  last: number | undefined;
  /** The run's colour, the same in every chart that shows it. */
  colour: string;
  /** Epoch seconds the run started: the origin of relative time. */
  startedAt: number;
  options: IChartOptions;
  /** The history, once fetched. */
  series: IMetricSeries | undefined;
  /** Why the history could not be fetched. */
  error: string | undefined;
}): React.ReactElement {
  const { runId, metric, series, error, colour, startedAt, options } = props;
  const points = series?.values.filter(v => Number.isFinite(v)).length ?? 0;
  const spec = useMemo(
    () =>
      series && points > 1
        ? metricHistorySpec(
            [{ id: runId, label: runId, colour, startedAt, series }],
            metric,
            options,
            series.unit
          )
        : null,
    [series, points, runId, metric, colour, startedAt, options]
  );
  const unit = series?.unit;
  return (
    <div className="jp-mlops-metric" data-metric={metric}>
      <div className="jp-mlops-metric-title">
        <strong>{titled(metric, unit)}</strong>
        {props.last !== undefined && (
          <span className="jp-mlops-metric-last">
            {`last ${formatNumber(props.last)}${unit ? ` ${unit}` : ''}`}
          </span>
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
      {spec && <VegaChart spec={spec} label={`${metric} over ${options.x}`} />}
    </div>
  );
}
