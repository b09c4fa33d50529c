import React, { useMemo } from 'react';

import { IRunSeries } from '../compareModel';
import { runLabel } from '../format';
import { IChartOptions, IChartRun, metricSpec, titled } from '../metricSpecs';
import { ChartControls } from './ChartControls';
import { VegaChart } from './VegaChart';

/** One metric's histories of every compared run: a line each, or a dot each for a single value. */
function MetricPanel(props: {
  metric: string;
  series: readonly IRunSeries[] | undefined;
  colours: Readonly<Record<string, string>>;
  options: IChartOptions;
  problem: string | undefined;
  onClose: () => void;
}): React.ReactElement {
  const { metric, series, colours, options } = props;
  const unit = series?.find(s => s.series.unit)?.series.unit;
  const spec = useMemo(() => {
    if (!series?.length) {
      return null;
    }
    const runs = series.map(({ run, series: s }): IChartRun => ({
      id: run.id,
      label: runLabel(run),
      colour: colours[run.id] ?? '#888',
      startedAt: run.started_at,
      series: s
    }));
    return metricSpec(runs, metric, options, unit);
  }, [series, colours, metric, options, unit]);
  return (
    <div className="jp-mlops-metric jp-mlops-metric-panel" data-metric={metric}>
      <div className="jp-mlops-metric-title">
        <strong>{titled(metric, unit)}</strong>
        <button
          className="jp-mlops-link-button"
          aria-label={`Close the ${metric} panel`}
          title="Close this panel"
          onClick={props.onClose}
        >
          ×
        </button>
      </div>
      {props.problem && (
        <div className="jp-mlops-error-text">{props.problem}</div>
      )}
      {!series && !props.problem && (
        <div className="jp-mlops-muted">loading…</div>
      )}
      {series?.length === 0 && (
        <div className="jp-mlops-muted">no run logged it</div>
      )}
      {spec && (
        <VegaChart
          spec={spec}
          label={`${metric} of each run over ${options.x}`}
        />
      )}
    </div>
  );
}

/** Metric panels of every compared run, several at once, with the options they share. */
export function OverlaidCharts(props: {
  metricKeys: readonly string[];
  metrics: readonly string[];
  /** Each panel's runs' histories; absent while loading. */
  series: Readonly<Record<string, readonly IRunSeries[]>>;
  problems: Readonly<Record<string, string>>;
  colours: Readonly<Record<string, string>>;
  options: IChartOptions;
  maxPanels: number;
  onMetrics: (metrics: string[]) => void;
  onOptions: (options: Partial<IChartOptions>) => void;
}): React.ReactElement {
  const { metrics } = props;
  const others = props.metricKeys.filter(key => !metrics.includes(key));
  return (
    <section className="jp-mlops-section">
      <h3>Metric histories</h3>
      {props.metricKeys.length === 0 ? (
        <p className="jp-mlops-muted">no metrics</p>
      ) : (
        <>
          <div className="jp-mlops-chart-controls">
            <label className="jp-mlops-metric-picker">
              Add a panel{' '}
              <select
                value=""
                disabled={!others.length || metrics.length >= props.maxPanels}
                onChange={event => {
                  props.onMetrics([...metrics, event.target.value]);
                }}
              >
                <option value="" disabled>
                  {metrics.length >= props.maxPanels
                    ? `at most ${props.maxPanels} panels`
                    : 'metric…'}
                </option>
                {others.map(key => (
                  <option key={key} value={key}>
                    {key}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ChartControls options={props.options} onChange={props.onOptions} />
          <div className="jp-mlops-metrics">
            {metrics.map(metric => (
              <MetricPanel
                key={metric}
                metric={metric}
                series={props.series[metric]}
                colours={props.colours}
                options={props.options}
                problem={props.problems[metric]}
                onClose={() => {
                  props.onMetrics(metrics.filter(key => key !== metric));
                }}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
