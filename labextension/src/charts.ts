/**
 * Vega-Lite specs of the charts: metric histories over steps, and parallel coordinates.
 * Data is shaped here (long format, normalised axes) so the specs stay simple and never
 * depend on field names that contain dots.
 */
import type { TopLevelSpec } from 'vega-lite';

import { JSONValue } from './payloads';
import { formatNumber, formatValue } from './format';

export interface ISeries {
  /** Legend label (a run's name and id). */
  label: string;
  steps: number[];
  values: number[];
}

/** Points with non-finite values are left out: a line cannot show them. */
export function seriesRows(
  series: ISeries[]
): { run: string; step: number; value: number }[] {
  const rows: { run: string; step: number; value: number }[] = [];
  for (const s of series) {
    s.steps.forEach((step, i) => {
      const value = s.values[i];
      if (value !== undefined && Number.isFinite(value)) {
        rows.push({ run: s.label, step, value });
      }
    });
  }
  return rows;
}

export function lineChartSpec(series: ISeries[], metric: string): TopLevelSpec {
  const rows = seriesRows(series);
  const several = series.length > 1;
  return {
    width: 'container',
    height: 200,
    data: { values: rows },
    mark: { type: 'line', point: rows.length <= 60, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: { zero: false }
      },
      color: several
        ? {
            field: 'run',
            type: 'nominal',
            title: 'run',
            legend: { orient: 'bottom', labelLimit: 280 }
          }
        : undefined
    }
  };
}

export interface IAxis {
  /** Shown under the axis: `lr`, `metrics.acc`, ... */
  label: string;
  /** Each run's value on this axis, by run id (absent: the run has none). */
  values: Record<string, JSONValue | undefined>;
}

export interface IParallelRow {
  run: string;
  id: string;
  axis: string;
  order: number;
  position: number | null;
  shown: string;
}

export interface IParallelTick {
  axis: string;
  position: number;
  label: string;
}

interface IAxisScale {
  place: (value: JSONValue) => number | null;
  ticks: { position: number; label: string }[];
}

/**
 * How one axis places values in [0, 1]. Numeric axes are scaled between their lowest and
 * highest value; other axes place their distinct values evenly, in sorted order.
 */
function axisScale(present: JSONValue[]): IAxisScale {
  const numbers = present.filter((v): v is number => typeof v === 'number');
  if (present.length > 0 && numbers.length === present.length) {
    const finite = numbers.filter(v => Number.isFinite(v));
    if (!finite.length) {
      return { place: () => null, ticks: [] };
    }
    const low = Math.min(...finite);
    const high = Math.max(...finite);
    const place = (value: JSONValue): number | null =>
      typeof value === 'number' && Number.isFinite(value)
        ? high === low
          ? 0.5
          : (value - low) / (high - low)
        : null;
    const ticks =
      high === low
        ? [{ position: 0.5, label: formatNumber(low) }]
        : [
            { position: 0, label: formatNumber(low) },
            { position: 1, label: formatNumber(high) }
          ];
    return { place, ticks };
  }
  const distinct = [...new Set(present.map(v => formatValue(v)))].sort();
  const at = (index: number): number =>
    distinct.length === 1 ? 0.5 : index / (distinct.length - 1);
  return {
    place: value => {
      const index = distinct.indexOf(formatValue(value));
      return index < 0 ? null : at(index);
    },
    ticks: distinct.map((label, index) => ({ position: at(index), label }))
  };
}

function presentValues(runs: { id: string }[], axis: IAxis): JSONValue[] {
  return runs
    .map(run => axis.values[run.id])
    .filter((v): v is JSONValue => v !== undefined && v !== null);
}

/** Long-format rows of a parallel coordinates chart: each run's value on each axis. */
export function parallelRows(
  runs: { id: string; label: string }[],
  axes: IAxis[]
): IParallelRow[] {
  const rows: IParallelRow[] = [];
  axes.forEach((axis, order) => {
    const { place } = axisScale(presentValues(runs, axis));
    for (const run of runs) {
      const value = axis.values[run.id];
      rows.push({
        run: run.label,
        id: run.id,
        axis: axis.label,
        order,
        position: value === undefined || value === null ? null : place(value),
        shown:
          value === undefined
            ? '(none)'
            : typeof value === 'number'
              ? formatNumber(value)
              : formatValue(value)
      });
    }
  });
  return rows;
}

/** The values written along each axis: its ends, or each of its categories. */
export function parallelTicks(
  runs: { id: string }[],
  axes: IAxis[]
): IParallelTick[] {
  return axes.flatMap(axis =>
    axisScale(presentValues(runs, axis)).ticks.map(tick => ({
      axis: axis.label,
      ...tick
    }))
  );
}

export function parallelSpec(
  runs: { id: string; label: string }[],
  axes: IAxis[]
): TopLevelSpec {
  const rows = parallelRows(runs, axes).filter(row => row.position !== null);
  const labels = axes.map(axis => axis.label);
  const x = {
    field: 'axis',
    type: 'nominal' as const,
    sort: labels,
    title: null,
    axis: { labelAngle: 0, labelLimit: 120, domain: false, ticks: false }
  };
  return {
    width: 'container',
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1 },
        encoding: {
          x,
          y: { value: 0 },
          y2: { value: 260 },
          detail: { field: 'axis', type: 'nominal' }
        }
      },
      {
        mark: { type: 'line', strokeWidth: 2, opacity: 0.8 },
        encoding: {
          x,
          y: {
            field: 'position',
            type: 'quantitative',
            axis: null,
            scale: { domain: [0, 1] }
          },
          color: {
            field: 'run',
            type: 'nominal',
            legend: { orient: 'bottom', labelLimit: 280 }
          },
          detail: { field: 'id', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' }
        }
      },
      {
        data: { values: parallelTicks(runs, axes) },
        mark: {
          type: 'text',
          align: 'left',
          dx: 5,
          fontSize: 10
        },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', axis: null },
          text: { field: 'label', type: 'nominal' }
        }
      },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', axis: null },
          color: { field: 'run', type: 'nominal' },
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'axis', type: 'nominal' },
            { field: 'shown', type: 'nominal', title: 'value' }
          ]
        }
      }
    ]
  };
}
