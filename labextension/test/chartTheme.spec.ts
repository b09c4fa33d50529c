import { describe, expect, it } from 'vitest';

import { chartColors, vegaConfig } from '../src/chartTheme';

const DARK: Record<string, string> = {
  '--jp-layout-color0': '#111111',
  '--jp-ui-font-color1': ' rgba(255, 255, 255, 0.87)',
  '--jp-ui-font-color2': 'rgba(255, 255, 255, 0.54)',
  '--jp-border-color1': '#616161',
  '--jp-border-color2': '#424242',
  '--jp-brand-color1': '#42a5f5',
  '--jp-ui-font-family': 'Inter',
  '--jp-ui-font-size1': '13px'
};

describe('chart theme', () => {
  it('takes every colour from the theme variables', () => {
    const colors = chartColors(name => DARK[name] ?? '', true);
    expect(colors.text).toBe('rgba(255, 255, 255, 0.87)');
    expect(colors.mark).toBe('#42a5f5');
    expect(colors.dark).toBe(true);
    const config = vegaConfig(colors);
    expect(config.axis?.labelColor).toBe('rgba(255, 255, 255, 0.87)');
    expect(config.axis?.gridColor).toBe('#424242');
    expect(config.legend?.labelColor).toBe('rgba(255, 255, 255, 0.87)');
    expect(config.line?.color).toBe('#42a5f5');
    expect(config.rule?.color).toBe('#616161');
    expect(config.font).toBe('Inter');
  });

  it('falls back to light colours where a variable is unset', () => {
    const colors = chartColors(() => '', false);
    expect(colors.text).toBe('rgba(0, 0, 0, 0.87)');
    expect(colors.fontSize).toBe(13);
    expect(vegaConfig(colors).background).toBe('transparent');
  });
});
