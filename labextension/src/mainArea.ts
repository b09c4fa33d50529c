/**
 * Where the views open: JupyterLab's main area, or, in Jupyter Notebook 7 (whose main area
 * holds only the page's one notebook), the panel below the notebook.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { SplitPanel, TabPanel, Widget } from '@lumino/widgets';

/** Views that went to Notebook 7's panel below the notebook. */
const below = new WeakSet<Widget>();

/**
 * Show a view opened in Notebook 7's panel below the notebook: make it that panel's current
 * tab, and give the panel at least half of the page (it opens only as tall as its tabs).
 */
function showBelow(widget: Widget): void {
  let child: Widget = widget;
  let parent = widget.parent;
  while (parent && !(parent instanceof SplitPanel)) {
    if (parent instanceof TabPanel && parent.widgets.includes(widget)) {
      parent.currentWidget = widget;
    }
    child = parent;
    parent = parent.parent;
  }
  if (!(parent instanceof SplitPanel)) {
    return;
  }
  const index = parent.widgets.indexOf(child);
  const sizes = parent.relativeSizes();
  if (index < 0 || sizes.length < 2 || (sizes[index] ?? 0) >= 0.5) {
    return;
  }
  const others = 0.45 / (sizes.length - 1);
  parent.setRelativeSizes(sizes.map((_, i) => (i === index ? 0.55 : others)));
}

/**
 * Add a view to the main area (once) and bring it to the front. JupyterLab holds a view added
 * while it restores its layout (a tab reopened after a reload) and places it only then: the
 * fallback below the notebook waits until the page is restored, or the view would go below
 * in JupyterLab too, out of the tabs that the restored layout puts back.
 */
export function showInMainArea(app: JupyterFrontEnd, widget: Widget): void {
  const { shell } = app;
  if (!widget.isAttached) {
    shell.add(widget, 'main');
  }
  if (!widget.isAttached && widget.parent === null) {
    void app.restored.then(() => {
      if (!widget.isDisposed) {
        place(shell, widget);
      }
    });
    return;
  }
  place(shell, widget);
}

function place(shell: JupyterFrontEnd.IShell, widget: Widget): void {
  if (!widget.isAttached) {
    // a restored layout that left the view out: it goes back among the tabs
    shell.add(widget, 'main');
  }
  if (!widget.isAttached) {
    // Jupyter Notebook 7 keeps its main area for the page's one document: its panel
    // below the notebook holds the views instead
    shell.add(widget, 'down');
    below.add(widget);
  }
  shell.activateById(widget.id);
  if (below.has(widget)) {
    showBelow(widget);
  }
}
