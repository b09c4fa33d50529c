import React, { useEffect, useRef, useState } from 'react';
import type { TopLevelSpec } from 'vega-lite';

import { tooltipTheme, useChartTheme } from '../chartTheme';
import { followContainer } from '../containerSize';
import { ChartPlaceholder } from './Loading';

/**
 * A Vega-Lite chart. vega-embed loads on first use, so the sidebar opens without it. A chart
 * as wide as its container redraws when the container changes width (`containerSize.ts`).
 */
export function VegaChart(props: {
  spec: TopLevelSpec;
  label: string;
}): React.ReactElement {
  const ref = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  const config = useChartTheme();

  // One drawing at a time, of the latest spec: a chart that is given a new spec while it
  // draws (a running run's, every second) finishes and then draws the newest, and the old
  // drawing stays on screen until the new one is there.
  const drawing = useRef<{
    busy: boolean;
    next: { spec: TopLevelSpec; config: typeof config } | null;
    finalize: (() => void) | null;
    gone: boolean;
  }>({ busy: false, next: null, finalize: null, gone: false });

  useEffect(() => {
    const state = drawing.current;
    const element = ref.current;
    if (!element) {
      return;
    }
    state.gone = false;
    state.next = { spec: props.spec, config };
    if (state.busy) {
      return;
    }
    const isGone = (): boolean => state.gone;
    const drawAll = async (): Promise<void> => {
      const { default: embed } = await import('vega-embed');
      while (state.next && !state.gone) {
        const { spec, config: theme } = state.next;
        state.next = null;
        const result = await embed(element, spec, {
          actions: false,
          renderer: 'svg',
          mode: 'vega-lite',
          config: theme,
          patch: followContainer,
          tooltip: { theme: tooltipTheme() }
        });
        state.finalize?.();
        state.finalize = () => {
          result.finalize();
        };
        if (isGone()) {
          state.finalize();
          state.finalize = null;
          return;
        }
        setProblem(null);
        setDrawn(true);
      }
    };
    const start = (): void => {
      state.busy = true;
      drawAll()
        .catch((error: unknown) => {
          if (!isGone()) {
            setProblem(`the chart could not be drawn: ${String(error)}`);
          }
        })
        .finally(() => {
          state.busy = false;
          if (state.next && !isGone()) {
            start(); // a spec that came as the last drawing ended
          }
        });
    };
    start();
  }, [props.spec, config]);

  useEffect(() => {
    const state = drawing.current;
    return () => {
      state.gone = true;
      state.finalize?.();
      state.finalize = null;
    };
  }, []);

  return (
    <div className="jp-mlops-chart" aria-label={props.label}>
      {!drawn && !problem && <ChartPlaceholder label="Drawing the chart…" />}
      <div ref={ref} className="jp-mlops-chart-canvas" />
      {problem && <div className="jp-mlops-error-text">{problem}</div>}
    </div>
  );
}
