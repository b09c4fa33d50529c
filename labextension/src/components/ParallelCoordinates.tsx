import React, { useMemo, useState } from 'react';

import { IAxis, parallelSpec } from '../charts';
import { defaultMetric } from '../compareModel';
import { runLabel } from '../format';
import { ICompareResult } from '../payloads';
import { Picker } from './Picker';
import { VegaChart } from './VegaChart';

/**
 * The params that differ and one chosen metric of each run, as parallel coordinates (log axes
 * for values spanning decades, brushing to keep the runs through a range).
 */
export function ParallelCoordinates(props: {
  result: ICompareResult;
  colours: Readonly<Record<string, string>>;
}): React.ReactElement {
  const { result, colours } = props;
  const metricKeys = result.metrics.map(row => row.key);
  const [metric, setMetric] = useState(defaultMetric(metricKeys));
  const spec = useMemo(() => {
    const differing = result.params.filter(row => row.differs);
    const params = differing.length ? differing : result.params;
    const axes: IAxis[] = params.map(row => ({
      label: row.key,
      values: row.values
    }));
    const metricRow = result.metrics.find(row => row.key === metric);
    if (metricRow) {
      axes.push({ label: `metrics.${metric}`, values: metricRow.values });
    }
    const runs = result.runs.map(run => ({
      id: run.id,
      label: runLabel(run),
      colour: colours[run.id] ?? '#888'
    }));
    return axes.length >= 2 ? parallelSpec(runs, axes) : null;
  }, [result, metric, colours]);
  return (
    <section className="jp-mlops-section jp-mlops-parallel">
      <h3>Parallel coordinates</h3>
      {metricKeys.length > 0 && (
        <Picker
          label="Metric"
          value={metric}
          options={metricKeys.map(key => ({ value: key, label: key }))}
          onChange={setMetric}
        />
      )}
      {spec ? (
        <>
          <p className="jp-mlops-muted jp-mlops-hint">
            Drag a box over an axis to keep the runs that pass through it;
            double-click to clear.
          </p>
          <VegaChart spec={spec} label="Params and metric of each run" />
        </>
      ) : (
        <p className="jp-mlops-muted">
          needs at least two params or metrics to draw
        </p>
      )}
    </section>
  );
}
