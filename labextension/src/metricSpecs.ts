/**
 * The metric charts' Vega-Lite specs, filled from the templates that the Python reports fill too
 * (`jupyter_mlops/render/specs/*.vl.json`, read by `jupyter_mlops/render/chart_specs.py`). Each
 * option is the small transformation the template's `usermeta._doc` describes, applied here the
 * same way; the colours come from the server (`run_colours` of `jupyter_mlops/render/palette.py`).
 */
import type { TopLevelSpec } from 'vega-lite';

import historyTemplate from './specs/metric_history.vl.json';
import valuesTemplate from './specs/metric_values.vl.json';
import { IMetricSeries } from './payloads';

export type XAxis = 'step' | 'relative' | 'wall';

export const X_AXES: readonly { value: XAxis; label: string }[] = [
  { value: 'step', label: 'step' },
  { value: 'relative', label: 'relative time' },
  { value: 'wall', label: 'wall time' }
];

/** How every metric chart of a view is drawn; the same for all its panels. */
export interface IChartOptions {
  readonly x: XAxis;
  readonly logY: boolean;
  /** Points of the trailing mean; 0 or 1: no smoothing. */
  readonly smoothing: number;
}

export const DEFAULT_CHART_OPTIONS: IChartOptions = {
  x: 'step',
  logY: false,
  smoothing: 0
};

/** One run's history of the charted metric, with what the chart says of the run. */
export interface IChartRun {
  readonly id: string;
  /** Legend label; unique among the runs charted together. */
  readonly label: string;
  readonly colour: string;
  /** Epoch seconds: the origin of relative time. */
  readonly startedAt: number;
  readonly series: IMetricSeries;
}

export interface IHistoryPoint {
  run: string;
  key: string;
  run_id: string;
  step: number;
  value: number;
  time: number;
  wall: number;
}

/** The template parts the options change; the rest is passed on untouched. */
type Json = Record<string, unknown>;
interface ILayer {
  name?: string;
  encoding: Record<string, Json | Json[] | undefined>;
}
interface ITransform {
  as?: string;
  calculate?: string;
  window?: unknown;
  frame?: [number | null, number | null];
  filter?: unknown;
}
interface IXAxis {
  expr: string;
  encoding: Json;
  tooltip: Json;
}
interface IHistorySpec {
  usermeta: {
    runColours: string[];
    valueFormat: string;
    xAxes: Record<XAxis, IXAxis>;
    logY: { filter: string };
  };
  transform: ITransform[];
  encoding: Json;
  layer: ILayer[];
  datasets?: Record<string, unknown[]>;
}
interface IValuesSpec {
  usermeta: { valueFormat: string };
  height: number;
  transform: ITransform[];
  encoding: Record<string, Json>;
  layer: ILayer[];
  datasets?: Record<string, unknown[]>;
}

function historyTemplateCopy(): IHistorySpec {
  return structuredClone(historyTemplate) as unknown as IHistorySpec;
}

function valuesTemplateCopy(): IValuesSpec {
  return structuredClone(valuesTemplate) as unknown as IValuesSpec;
}

/** A part of a template the options change; a template without it is a bug said plainly. */
function part<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the chart template has no ${what}`);
  }
  return value;
}

/** The palette of run colours (the server assigns them; tests and fallbacks read it here). */
export const RUN_COLOURS: readonly string[] =
  historyTemplateCopy().usermeta.runColours;

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The unit of a metric in its title: `system/process_rss_mb (MB)`. */
export function titled(
  metric: string,
  unit: string | null | undefined
): string {
  return unit ? `${metric} (${unit})` : metric;
}

/** The `points` data set: a row per finite point (a line cannot show NaN or infinities). */
export function historyPoints(runs: readonly IChartRun[]): IHistoryPoint[] {
  const rows: IHistoryPoint[] = [];
  runs.forEach((run, index) => {
    const { steps, values, timestamps } = run.series;
    steps.forEach((step, i) => {
      const value = values[i];
      const stamp = timestamps[i] ?? run.startedAt;
      if (finite(value)) {
        rows.push({
          run: run.label,
          key: `r${index}`,
          run_id: run.id,
          step,
          value,
          time: stamp - run.startedAt,
          wall: stamp * 1000
        });
      }
    });
  });
  return rows;
}

/** Whether no run has more than one point to draw: the metric is a value, not a history. */
export function isSingleValue(runs: readonly IChartRun[]): boolean {
  return runs.every(
    run => run.series.values.filter(value => finite(value)).length <= 1
  );
}

function colourLayers(
  layers: readonly { encoding: Record<string, unknown> }[],
  runs: readonly { label: string; colour: string }[]
): void {
  for (const layer of layers) {
    const colour = layer.encoding.color as Json | undefined;
    if (colour && 'field' in colour) {
      colour.scale = {
        domain: runs.map(run => run.label),
        range: runs.map(run => run.colour)
      };
      if (runs.length === 1) {
        colour.legend = null;
      }
    }
  }
}

/** The history chart of `metric` over `runs`, its data inline (`datasets.points`). */
export function metricHistorySpec(
  runs: readonly IChartRun[],
  metric: string,
  options: IChartOptions = DEFAULT_CHART_OPTIONS,
  unit?: string | null
): TopLevelSpec {
  const spec = historyTemplateCopy();
  const meta = spec.usermeta;
  const axis = meta.xAxes[options.x];
  spec.encoding.x = structuredClone(axis.encoding);
  const at = spec.transform.findIndex(t => t.as === 'x');
  part(spec.transform[at], "transform 'x'").calculate = axis.expr;
  if (options.logY) {
    spec.transform.splice(at + 1, 0, { filter: meta.logY.filter });
  }
  const smoothing = Math.floor(options.smoothing);
  if (smoothing >= 2) {
    part(
      spec.transform.find(t => t.window !== undefined),
      'window transform'
    ).frame = [-(smoothing - 1), 0];
  } else {
    spec.layer = spec.layer.filter(layer => layer.name !== 'raw');
  }
  colourLayers(spec.layer, runs);
  for (const layer of spec.layer) {
    const y = layer.encoding.y as Json | undefined;
    if (y) {
      y.title = titled(metric, unit);
      if (options.logY) {
        (y.scale as Json).type = 'log';
      }
    }
  }
  const crosshair = part(
    spec.layer.find(layer => layer.name === 'crosshair'),
    "layer 'crosshair'"
  );
  crosshair.encoding.tooltip = [
    structuredClone(axis.tooltip),
    ...runs.map((run, i) => ({
      field: `r${i}`,
      type: 'quantitative',
      title: run.label,
      format: meta.valueFormat
    }))
  ];
  spec.datasets = { points: historyPoints(runs) };
  return spec as unknown as TopLevelSpec;
}

/** A dot per run for a metric logged once (each run's one finite value). */
export function metricValuesSpec(
  runs: readonly IChartRun[],
  metric: string,
  options: IChartOptions = DEFAULT_CHART_OPTIONS,
  unit?: string | null
): TopLevelSpec {
  const spec = valuesTemplateCopy();
  const rows = runs.flatMap(run => {
    const value = run.series.values.find(v => finite(v));
    return value === undefined
      ? []
      : [{ run: run.label, run_id: run.id, value }];
  });
  const shown = runs.filter(run => rows.some(row => row.run_id === run.id));
  const { x, y } = spec.encoding;
  const dots = part(
    spec.layer.find(layer => layer.name === 'dots'),
    "layer 'dots'"
  );
  part(dots.encoding.color as Json | undefined, 'dots colour').scale = {
    domain: shown.map(run => run.label),
    range: shown.map(run => run.colour)
  };
  part(y, 'y encoding').sort = shown.map(run => run.label);
  part(x, 'x encoding').title = titled(metric, unit);
  if (options.logY) {
    (part(x, 'x encoding').scale as Json).type = 'log';
    spec.transform.push({ filter: 'datum.value > 0' });
  }
  spec.height = Math.max(60, 24 * shown.length);
  spec.datasets = { points: rows };
  return spec as unknown as TopLevelSpec;
}

/** The chart of a metric: its history, or a dot per run when no run has more than one point. */
export function metricSpec(
  runs: readonly IChartRun[],
  metric: string,
  options: IChartOptions = DEFAULT_CHART_OPTIONS,
  unit?: string | null
): TopLevelSpec {
  return isSingleValue(runs)
    ? metricValuesSpec(runs, metric, options, unit)
    : metricHistorySpec(runs, metric, options, unit);
}
