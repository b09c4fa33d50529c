/**
 * Charts whose width is `"container"` follow their container, not only the window.
 *
 * Vega-Lite compiles such a width to a signal that re-reads `containerSize()` on
 * `window:resize` only, so a chart keeps its first width when the sidebar is dragged wider or
 * a tab is split. Vega's views also listen to `container:resize` (a ResizeObserver on the
 * element the chart is drawn in): this adds that event beside every `window:resize` handler of
 * the compiled spec's top-level signals, for vega-embed's `patch` option.
 */

import type { Signal, Spec } from 'vega';

interface ISignalHandler {
  events: unknown;
  update?: unknown;
}

const WINDOW_RESIZE = 'window:resize';
const CONTAINER_RESIZE = 'container:resize';

function listensTo(handler: ISignalHandler, event: string): boolean {
  const events = Array.isArray(handler.events)
    ? handler.events
    : [handler.events];
  return events.some(item => item === event);
}

/** `spec` with `container:resize` beside each `window:resize` of its top-level signals. */
export function followContainer(spec: Spec): Spec {
  if (!spec.signals) {
    return spec;
  }
  const signals = spec.signals.map((signal): Signal => {
    const handlers = (signal as { on?: ISignalHandler[] }).on;
    if (
      !handlers?.some(h => listensTo(h, WINDOW_RESIZE)) ||
      handlers.some(h => listensTo(h, CONTAINER_RESIZE))
    ) {
      return signal;
    }
    const added = handlers
      .filter(h => listensTo(h, WINDOW_RESIZE))
      .map(h => ({ ...h, events: CONTAINER_RESIZE }));
    return { ...signal, on: [...handlers, ...added] } as Signal;
  });
  return { ...spec, signals };
}
