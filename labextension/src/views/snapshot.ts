/**
 * A run's notebook snapshot in a main-area tab, read-only: a static notebook view (no
 * kernel, no editing, no notebook keyboard commands) of the stored nbformat JSON.
 * Outputs are rendered untrusted, so stored HTML never runs scripts.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { NotebookModel, StaticNotebook } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type * as nbformat from '@jupyterlab/nbformat';

import { JSONValue } from '../payloads';

export function snapshotWidget(options: {
  notebook: Record<string, JSONValue>;
  title: string;
  rendermime: IRenderMimeRegistry;
  editorServices: IEditorServices;
}): MainAreaWidget<StaticNotebook> {
  const model = new NotebookModel();
  model.fromJSON(options.notebook as unknown as nbformat.INotebookContent);
  const editorFactory = options.editorServices.factoryService.newInlineEditor;
  const content = new StaticNotebook({
    rendermime: options.rendermime,
    contentFactory: new StaticNotebook.ContentFactory({ editorFactory }),
    mimeTypeService: options.editorServices.mimeTypeService
  });
  content.addClass('jp-mlops-snapshot');
  content.model = model;
  for (const cell of content.widgets) {
    cell.readOnly = true;
  }
  content.model.cells.changed.connect(() => {
    for (const cell of content.widgets) {
      cell.readOnly = true;
    }
  });
  const widget = new MainAreaWidget({ content });
  widget.title.label = options.title;
  widget.title.caption = `${options.title} — read-only`;
  widget.disposed.connect(() => {
    model.dispose();
  });
  return widget;
}
