import { readFileSync } from 'fs';
import { describe, expect, it } from 'vitest';

import {
  historyPoints,
  IChartOptions,
  IChartRun,
  isSingleValue,
  metricHistorySpec,
  metricSpec,
  metricValuesSpec,
  RUN_COLOURS,
  titled
} from '../src/metricSpecs';
import { series } from './fixtures';

/** The cases `tests/render/chart_cases.py` fills in Python, with the specs it got. */
interface ICase {
  name: string;
  kind: 'history' | 'values';
  metric: string;
  unit: string | null;
  options: IChartOptions;
  runs: {
    id: string;
    label: string;
    colour: string;
    startedAt: number;
    steps: number[];
    values: (number | null)[];
    timestamps: number[];
  }[];
  expected: unknown;
}

const golden = JSON.parse(
  readFileSync(
    new URL('../../tests/render/golden/chart_specs.json', import.meta.url),
    'utf-8'
  )
) as ICase[];

function chartRuns(c: ICase): IChartRun[] {
  return c.runs.map(run => ({
    id: run.id,
    label: run.label,
    colour: run.colour,
    startedAt: run.startedAt,
    series: {
      run_id: run.id,
      key: c.metric,
      steps: run.steps,
      values: run.values.map(v => (v === null ? NaN : v)),
      timestamps: run.timestamps,
      total_points: run.steps.length,
      downsampled: false
    }
  }));
}

function chartRun(id: string, values: number[], colour?: string): IChartRun {
  return {
    id,
    label: `run ${id}`,
    colour: colour ?? '#111111',
    startedAt: 1000,
    series: series(id, 'loss', values)
  };
}

describe('metric chart specs', () => {
  it.each(golden.map(c => [c.name, c] as const))(
    'fills the templates as the Python reports do: %s',
    (_, c) => {
      const build = c.kind === 'values' ? metricValuesSpec : metricHistorySpec;
      expect(build(chartRuns(c), c.metric, c.options, c.unit)).toEqual(
        c.expected
      );
    }
  );

  it('leaves non-finite points out and keeps each run’s key for the crosshair', () => {
    const rows = historyPoints([
      chartRun('a', [1, NaN, Infinity, 2]),
      chartRun('b', [3])
    ]);
    expect(rows.map(r => [r.key, r.step, r.value])).toEqual([
      ['r0', 0, 1],
      ['r0', 3, 2],
      ['r1', 0, 3]
    ]);
    expect(rows[0]!.time).toBe(0); // seconds since the run started
    expect(rows[0]!.wall).toBe(1000 * 1000);
  });

  it('keeps each run in its colour and lists every run in the crosshair tooltip', () => {
    const runs = Array.from({ length: 9 }, (_, i) =>
      chartRun(`r${i}`, [1, 2, 3], RUN_COLOURS[i])
    );
    const spec = metricHistorySpec(runs, 'loss') as unknown as {
      layer: {
        name: string;
        encoding: {
          color?: { scale: unknown; legend: unknown };
          tooltip?: { title: string; format?: string }[];
        };
      }[];
    };
    const line = spec.layer.find(l => l.name === 'line');
    expect(line?.encoding.color?.scale).toEqual({
      domain: runs.map(r => r.label),
      range: RUN_COLOURS.slice(0, 9)
    });
    // nine runs: every one in the legend, none cut off
    expect(line?.encoding.color?.legend).toMatchObject({
      symbolLimit: 0,
      labelLimit: 0
    });
    const tooltip =
      spec.layer.find(l => l.name === 'crosshair')?.encoding.tooltip ?? [];
    expect(tooltip.map(t => t.title)).toEqual([
      'step',
      ...runs.map(r => r.label)
    ]);
    expect(tooltip[1]?.format).toBe('.4~g'); // values rounded
  });

  it('draws integer step ticks, and the x axis the user chose', () => {
    const spec = (x: IChartOptions['x']) =>
      metricHistorySpec([chartRun('a', [1, 2])], 'loss', {
        x,
        logY: false,
        smoothing: 0
      }) as unknown as {
        encoding: {
          x: { type: string; axis?: { tickMinStep?: number; format?: string } };
        };
        transform: { as?: string; calculate?: string }[];
      };
    expect(spec('step').encoding.x.axis).toEqual({
      format: 'd',
      tickMinStep: 1
    });
    expect(spec('relative').transform[0]!.calculate).toBe('datum.time');
    expect(spec('wall').encoding.x.type).toBe('temporal');
  });

  it('shows a metric logged once per run as a dot per run, not a line', () => {
    const runs = [chartRun('a', [0.9]), chartRun('b', [0.95])];
    expect(isSingleValue(runs)).toBe(true);
    const spec = metricSpec(runs, 'acc') as unknown as {
      layer: { mark: { type: string } }[];
      height: number;
    };
    expect(spec.layer.map(l => l.mark.type)).toEqual(['point', 'text']);
    expect(isSingleValue([chartRun('a', [0.9, 0.8])])).toBe(false);
  });

  it('names a metric with its unit', () => {
    expect(titled('system/cpu_percent', '%')).toBe('system/cpu_percent (%)');
    expect(titled('loss', null)).toBe('loss');
  });
});
