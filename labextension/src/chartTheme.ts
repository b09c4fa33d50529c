/**
 * The charts' colours and fonts, taken from the JupyterLab theme in use: one Vega-Lite
 * config for every chart, read again from the theme's CSS variables when the theme changes.
 *
 * Use: `vegaConfig()` for the `config` of `vega-embed`, `useChartTheme()` in a React
 * component to draw again when the theme changes, `chartColors()` for colours that a spec
 * sets on a mark itself.
 */
import type { IThemeManager } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import { useEffect, useMemo, useReducer } from 'react';
import type { Config } from 'vega-lite';

/** Reads a CSS custom property's value ('' when unset). */
export type CssVariables = (name: string) => string;

/** The colours a chart needs, each from one JupyterLab theme variable. */
export interface IChartColors {
  /** Behind the chart: the panel's own background. */
  background: string;
  /** Axis labels, titles, legends. */
  text: string;
  /** Secondary text: tick labels written inside a chart, captions. */
  mutedText: string;
  /** Grid lines. */
  grid: string;
  /** Axis lines and ticks, parallel coordinates' axes. */
  axis: string;
  /** The one series of a single-run chart. */
  mark: string;
  /** Whether the theme is dark (vega-tooltip's `theme`). */
  dark: boolean;
  font: string;
  fontSize: number;
}

/** Values used where a variable is unset (no JupyterLab page, e.g. unit tests). */
const FALLBACK: Record<string, string> = {
  '--jp-layout-color0': 'white',
  '--jp-ui-font-color1': 'rgba(0, 0, 0, 0.87)',
  '--jp-ui-font-color2': 'rgba(0, 0, 0, 0.54)',
  '--jp-border-color2': '#e0e0e0',
  '--jp-border-color1': '#bdbdbd',
  '--jp-brand-color1': '#1976d2',
  '--jp-ui-font-family': 'system-ui, sans-serif',
  '--jp-ui-font-size1': '13px'
};

function documentVariables(): CssVariables {
  if (typeof document === 'undefined') {
    return () => '';
  }
  const style = getComputedStyle(document.body);
  return name => style.getPropertyValue(name);
}

function isDarkDocument(): boolean {
  if (typeof document === 'undefined') {
    return false;
  }
  return document.body.dataset.jpThemeLight === 'false';
}

/** The theme's chart colours; `variables` defaults to the page's computed style. */
export function chartColors(
  variables: CssVariables = documentVariables(),
  dark: boolean = isDarkDocument()
): IChartColors {
  const css = (name: string): string =>
    variables(name).trim() || (FALLBACK[name] ?? '');
  const fontSize = parseFloat(css('--jp-ui-font-size1'));
  return {
    background: css('--jp-layout-color0'),
    text: css('--jp-ui-font-color1'),
    mutedText: css('--jp-ui-font-color2'),
    grid: css('--jp-border-color2'),
    axis: css('--jp-border-color1'),
    mark: css('--jp-brand-color1'),
    dark,
    font: css('--jp-ui-font-family'),
    fontSize: Number.isFinite(fontSize) ? fontSize : 13
  };
}

/** The Vega-Lite config of every chart, from the theme's colours. */
export function vegaConfig(colors: IChartColors = chartColors()): Config {
  const labels = {
    labelColor: colors.text,
    titleColor: colors.text,
    labelFont: colors.font,
    titleFont: colors.font
  };
  return {
    background: 'transparent',
    font: colors.font,
    view: { stroke: 'transparent' },
    axis: {
      ...labels,
      gridColor: colors.grid,
      domainColor: colors.axis,
      tickColor: colors.axis,
      labelFontSize: colors.fontSize - 2,
      titleFontSize: colors.fontSize - 1
    },
    legend: {
      ...labels,
      labelFontSize: colors.fontSize - 2,
      titleFontSize: colors.fontSize - 1
    },
    title: { color: colors.text, font: colors.font },
    header: { ...labels },
    mark: { color: colors.mark },
    line: { color: colors.mark },
    point: { color: colors.mark },
    bar: { color: colors.mark },
    rule: { color: colors.axis },
    text: { color: colors.mutedText, font: colors.font }
  };
}

/** vega-tooltip's theme that matches the page's. */
export function tooltipTheme(): 'light' | 'dark' {
  return isDarkDocument() ? 'dark' : 'light';
}

const changed = new Signal<object, void>({});
let watched: IThemeManager | null = null;

/** Emitted after the JupyterLab theme changed (its CSS is loaded by then). */
export const chartThemeChanged: ISignal<object, void> = changed;

/** Follow a theme manager's changes (called once, when the extension starts). */
export function watchTheme(manager: IThemeManager | null): void {
  if (!manager || watched === manager) {
    return;
  }
  watched = manager;
  manager.themeChanged.connect(() => {
    changed.emit();
  });
}

/**
 * The Vega-Lite config for a component's chart; the component renders again (and gets a
 * new config) whenever the theme changes, so its chart can be drawn again.
 */
export function useChartTheme(): Config {
  const [revision, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const listener = (): void => {
      bump();
    };
    changed.connect(listener);
    return () => {
      changed.disconnect(listener);
    };
  }, []);
  return useMemo(() => vegaConfig(), [revision]);
}
