import React, { useMemo } from 'react';

import { ISeries, lineChartSpec } from '../charts';
import { runLabel } from '../format';
import { IRunSeries } from '../compareModel';
import { Picker } from './Picker';
import { VegaChart } from './VegaChart';

/** One metric's history of every compared run in one chart, the metric chosen above it. */
export function OverlaidCharts(props: {
  metricKeys: readonly string[];
  metric: string;
  /** Each run's history of `metric`; null while loading. */
  series: readonly IRunSeries[] | null;
  problem: string | null;
  onMetric: (metric: string) => void;
}): React.ReactElement {
  const { metric, series } = props;
  const spec = useMemo(() => {
    if (!series) {
      return null;
    }
    const labelled = series.map(({ run, series: s }): ISeries => ({
      label: runLabel(run),
      steps: s.steps,
      values: s.values
    }));
    return lineChartSpec(labelled, metric);
  }, [series, metric]);

  return (
    <section className="jp-mlops-section">
      <h3>Metric histories</h3>
      {props.metricKeys.length === 0 ? (
        <p className="jp-mlops-muted">no metrics</p>
      ) : (
        <>
          <Picker
            label="Metric"
            value={metric}
            options={props.metricKeys.map(key => ({ value: key, label: key }))}
            onChange={props.onMetric}
          />
          {props.problem && (
            <div className="jp-mlops-error-text">{props.problem}</div>
          )}
          {spec && (
            <VegaChart spec={spec} label={`${metric} of each run over steps`} />
          )}
        </>
      )}
    </section>
  );
}
