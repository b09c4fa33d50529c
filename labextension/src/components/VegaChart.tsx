import React, { useEffect, useRef, useState } from 'react';
import type { TopLevelSpec } from 'vega-lite';

import { tooltipTheme, useChartTheme } from '../chartTheme';

/**
 * A Vega-Lite chart. vega-embed loads on first use, so the sidebar opens without it.
 */
export function VegaChart(props: {
  spec: TopLevelSpec;
  label: string;
}): React.ReactElement {
  const ref = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const config = useChartTheme();

  useEffect(() => {
    let cancelled = false;
    const isCancelled = (): boolean => cancelled;
    const embedded: { finalize: (() => void) | null } = { finalize: null };
    const element = ref.current;
    if (!element) {
      return;
    }
    import('vega-embed')
      .then(async ({ default: embed }) => {
        if (isCancelled()) {
          return;
        }
        const result = await embed(element, props.spec, {
          actions: false,
          renderer: 'svg',
          mode: 'vega-lite',
          config,
          tooltip: { theme: tooltipTheme() }
        });
        if (isCancelled()) {
          result.finalize();
        } else {
          embedded.finalize = () => {
            result.finalize();
          };
          setProblem(null);
        }
      })
      .catch((error: unknown) => {
        if (!isCancelled()) {
          setProblem(`the chart could not be drawn: ${String(error)}`);
        }
      });
    return () => {
      cancelled = true;
      embedded.finalize?.();
    };
  }, [props.spec, config]);

  return (
    <div className="jp-mlops-chart" aria-label={props.label}>
      <div ref={ref} className="jp-mlops-chart-canvas" />
      {problem && <div className="jp-mlops-error-text">{problem}</div>}
    </div>
  );
}
