"""WCAG contrast of every text/background pair the page shows under a root element, measured
in the browser with ``getComputedStyle`` (colours resolved through a canvas, so ``color-mix``
and ``rgba`` are read as the browser paints them, and translucent backgrounds are composited
over their ancestors')."""

from __future__ import annotations

from typing import Any

# Returns one entry per element that holds visible text directly (and per SVG text of the
# charts): its selector-ish label, text, colours and contrast ratio.
MEASURE = r"""
(roots) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const rgba = css => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = 'rgba(0, 0, 0, 0)';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = element => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const color = rgba(getComputedStyle(e).backgroundColor);
      if (color[3] > 0) layers.push(color);
      if (color[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ([r, g, b]) => {
    const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  };
  const ratio = (a, b) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const label = e => {
    const cls = typeof e.className === 'string' ? e.className : e.getAttribute('class') || '';
    return e.tagName.toLowerCase() + (cls ? '.' + cls.trim().split(/\s+/).join('.') : '');
  };
  const shown = e => {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const style = getComputedStyle(e);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const pairs = [];
  for (const root of roots.flatMap(s => [...document.querySelectorAll(s)])) {
    for (const e of [root, ...root.querySelectorAll('*')]) {
      if (!shown(e) || e.closest(':disabled, [aria-hidden="true"]')) continue;
      const svgText = e instanceof SVGTextElement;
      const ownText = [...e.childNodes]
        .filter(n => n.nodeType === Node.TEXT_NODE)
        .map(n => n.textContent.trim())
        .join(' ');
      if (!ownText || (e instanceof SVGElement && !svgText)) continue;
      const style = getComputedStyle(e);
      const back = background(svgText ? e.closest('div') : e);
      let fore = rgba(svgText ? style.fill : style.color);
      if (svgText && style.fillOpacity) fore = [fore[0], fore[1], fore[2], fore[3] * parseFloat(style.fillOpacity)];
      let opacity = 1;
      for (let p = e; p; p = p.parentElement) opacity *= parseFloat(getComputedStyle(p).opacity);
      fore = over([fore[0], fore[1], fore[2], fore[3] * opacity], back);
      pairs.push({
        element: label(e),
        text: ownText.slice(0, 40),
        color: fore.slice(0, 3).map(Math.round),
        background: back.slice(0, 3).map(Math.round),
        ratio: Math.round(ratio(fore, back) * 100) / 100,
      });
    }
  }
  return pairs;
}
"""

MINIMUM = 4.5


def text_pairs(page: Any, *roots: str) -> list[dict[str, Any]]:
    """Every text/background pair shown under the elements matching ``roots``."""
    return list(page.evaluate(MEASURE, list(roots)))


def unreadable(pairs: list[dict[str, Any]], minimum: float = MINIMUM) -> list[dict[str, Any]]:
    return [pair for pair in pairs if pair["ratio"] < minimum]
