/**
 * The Vega-Lite spec of parallel coordinates (metric histories are in `metricSpecs.ts`).
 * Data is shaped here (long format, normalised axes) so the spec stays simple and never
 * depends on field names that contain dots.
 */
import type { TopLevelSpec } from 'vega-lite';

import { JSONValue } from './payloads';
import { formatNumber, formatValue } from './format';

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
  /** The axis is logarithmic: its values span two decades or more. */
  log: boolean;
}

/** Positive values whose highest is at least this many times their lowest get a log axis. */
export const LOG_AXIS_SPAN = 100;

/** A log axis: positions by log10, ticks at its ends and at each power of ten between. */
function logScale(low: number, high: number): IAxisScale {
  const from = Math.log10(low);
  const span = Math.log10(high) - from;
  const at = (value: number): number => (Math.log10(value) - from) / span;
  const ticks = [{ position: 0, label: formatNumber(low) }];
  for (let power = Math.ceil(from); power < Math.log10(high); power++) {
    const decade = 10 ** power;
    if (decade > low && at(decade) > 0.08 && at(decade) < 0.92) {
      ticks.push({ position: at(decade), label: formatNumber(decade) });
    }
  }
  ticks.push({ position: 1, label: formatNumber(high) });
  return {
    place: value =>
      typeof value === 'number' && Number.isFinite(value) && value > 0
        ? at(value)
        : null,
    ticks,
    log: true
  };
}

/**
 * How one axis places values in [0, 1]. Numeric axes are scaled between their lowest and
 * highest value (by their logarithm when all are positive and span `LOG_AXIS_SPAN` or more);
 * other axes place their distinct values evenly, in sorted order.
 */
function axisScale(present: JSONValue[]): IAxisScale {
  const numbers = present.filter((v): v is number => typeof v === 'number');
  if (present.length > 0 && numbers.length === present.length) {
    const finite = numbers.filter(v => Number.isFinite(v));
    if (!finite.length) {
      return { place: () => null, ticks: [], log: false };
    }
    const low = Math.min(...finite);
    const high = Math.max(...finite);
    if (low > 0 && high / low >= LOG_AXIS_SPAN) {
      return logScale(low, high);
    }
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
    return { place, ticks, log: false };
  }
  const distinct = [...new Set(present.map(v => formatValue(v)))].sort();
  const at = (index: number): number =>
    distinct.length === 1 ? 0.5 : index / (distinct.length - 1);
  return {
    place: value => {
      const index = distinct.indexOf(formatValue(value));
      return index < 0 ? null : at(index);
    },
    ticks: distinct.map((label, index) => ({ position: at(index), label })),
    log: false
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

/** Each axis's title: its label, with `(log)` when its values are placed by their logarithm. */
export function axisTitles(
  runs: { id: string }[],
  axes: IAxis[]
): { order: number; label: string }[] {
  return axes.map((axis, order) => ({
    order,
    label: axisScale(presentValues(runs, axis)).log
      ? `${axis.label} (log)`
      : axis.label
  }));
}

const PARALLEL_HEIGHT = 240;

/**
 * Parallel coordinates: a line per run across the axes, each run in its colour. Dragging a box
 * over part of one or more axes (brushing) keeps the runs that pass through it and fades the
 * others; a double click clears it.
 */
export function parallelSpec(
  runs: { id: string; label: string; colour: string }[],
  axes: IAxis[]
): TopLevelSpec {
  const rows = parallelRows(runs, axes).filter(row => row.position !== null);
  const last = Math.max(axes.length - 1, 1);
  const x = {
    field: 'order',
    type: 'quantitative' as const,
    title: null,
    axis: null,
    scale: { domain: [0, last], nice: false, padding: 12 }
  };
  const y = {
    field: 'position',
    type: 'quantitative' as const,
    axis: null,
    scale: { domain: [0, 1], nice: false, padding: 8 }
  };
  const colour = {
    field: 'run',
    type: 'nominal' as const,
    title: 'run',
    scale: {
      domain: runs.map(run => run.label),
      range: runs.map(run => run.colour)
    },
    legend: {
      orient: 'bottom' as const,
      direction: 'vertical' as const,
      columns: 1,
      labelLimit: 0,
      symbolLimit: 0
    }
  };
  const kept = {
    condition: { test: 'datum.kept', value: 0.9 },
    value: 0.12
  };
  // a run is kept when one of its points is in the brush (no brush: every run)
  const keep = [
    {
      calculate:
        "!length(data('brush_store')) || vlSelectionTest('brush_store', datum) ? 1 : 0",
      as: 'inBrush'
    },
    {
      joinaggregate: [{ op: 'max' as const, field: 'inBrush', as: 'kept' }],
      groupby: ['id']
    }
  ];
  return {
    width: 'container',
    height: PARALLEL_HEIGHT,
    data: { values: rows },
    layer: [
      {
        data: { values: axisTitles(runs, axes) },
        mark: { type: 'rule', strokeWidth: 1 },
        encoding: { x, y: { value: 0 }, y2: { value: PARALLEL_HEIGHT } }
      },
      {
        data: { values: axisTitles(runs, axes) },
        mark: {
          type: 'text',
          baseline: 'top',
          dy: 6,
          fontSize: 11,
          limit: 140
        },
        encoding: {
          x,
          y: { value: PARALLEL_HEIGHT },
          text: { field: 'label', type: 'nominal' }
        }
      },
      {
        params: [
          {
            name: 'brush',
            select: { type: 'interval', encodings: ['x', 'y'] }
          }
        ],
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y,
          color: colour,
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'axis', type: 'nominal' },
            { field: 'shown', type: 'nominal', title: 'value' }
          ]
        }
      },
      {
        transform: keep,
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: colour,
          opacity: kept,
          detail: { field: 'id', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' }
        }
      },
      {
        data: { values: parallelTicks(runs, axes) },
        transform: [
          {
            lookup: 'axis',
            from: {
              data: {
                values: axes.map((axis, order) => ({
                  axis: axis.label,
                  order
                }))
              },
              key: 'axis',
              fields: ['order']
            }
          }
        ],
        mark: {
          type: 'text',
          align: 'left',
          dx: 5,
          fontSize: 10
        },
        encoding: {
          x,
          y,
          text: { field: 'label', type: 'nominal' }
        }
      }
    ]
  };
}
