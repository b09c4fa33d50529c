/**
 * Two or more runs side by side: param and metric tables with differences highlighted,
 * overlaid metric charts, parallel coordinates (3 or more runs) and the cell diff of two
 * snapshots. What it shows comes from its `CompareModel`.
 */
import React, { useMemo } from 'react';

import { CellDiffSection } from '../components/CellDiffSection';
import { ErrorBox } from '../components/ErrorBox';
import { OverlaidCharts } from '../components/OverlaidCharts';
import { ParallelCoordinates } from '../components/ParallelCoordinates';
import { ValueTable } from '../components/ValueTable';
import { CompareModel, MAX_PANELS, runColours } from '../compareModel';
import { useSignal } from '../hooks';
import { ModelView } from './ModelView';

export class CompareWidget extends ModelView<CompareModel> {
  /** `model`: the comparison shown; the widget disposes it with itself. */
  constructor(model: CompareModel) {
    super(model, { ownsModel: true });
    this.addClass('jp-mlops-compare');
  }

  protected render(): React.ReactElement {
    return <CompareView model={this.model} />;
  }
}

function CompareView(props: { model: CompareModel }): React.ReactElement {
  const { model } = props;
  useSignal(model.stateChanged);
  const {
    result,
    error,
    metrics,
    series,
    seriesErrors,
    pair,
    diff,
    diffError
  } = model.state;
  const colours = useMemo(() => (result ? runColours(result) : {}), [result]);

  if (error) {
    return (
      <div className="jp-mlops-detail-body">
        <ErrorBox error={error} />
      </div>
    );
  }
  if (!result) {
    return <div className="jp-mlops-detail-body">Loading comparison…</div>;
  }
  return (
    <div className="jp-mlops-detail-body jp-mlops-compare-body">
      <h2>{`Comparing ${result.runs.length} runs`}</h2>
      <ValueTable
        title="Params"
        runs={result.runs}
        rows={result.params}
        kind="params"
        colours={colours}
      />
      <ValueTable
        title="Metrics"
        runs={result.runs}
        rows={result.metrics}
        kind="metrics"
        colours={colours}
        overrides={model.state.overrides}
        onDirection={(key, direction) =>
          void model.setDirection(key, direction)
        }
      />
      <OverlaidCharts
        metricKeys={result.metric_keys}
        metrics={metrics}
        series={series}
        problems={seriesErrors}
        colours={colours}
        options={model.state.chartOptions}
        maxPanels={MAX_PANELS}
        onMetrics={keys => void model.setMetrics(keys)}
        onOptions={options => {
          model.setChartOptions(options);
        }}
      />
      {result.runs.length >= 3 && (
        <ParallelCoordinates result={result} colours={colours} />
      )}
      <CellDiffSection
        runs={result.runs}
        pair={pair}
        diff={diff}
        problem={diffError}
        onPair={(a, b) => void model.setPair(a, b)}
      />
    </div>
  );
}
