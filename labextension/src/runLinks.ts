/**
 * Run ids shown in notebook outputs (the summary under a `%%track` cell) open their run:
 * the summary marks each id with `data-mlops-open-run`, and a click on it (or Enter)
 * opens the run's detail from the store of that notebook's folder, with the sidebar shown.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { CommandIDs, SIDEBAR_ID } from './tokens';

export const RUN_LINK_ATTRIBUTE = 'data-mlops-open-run';

export function followRunLinks(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null
): IDisposable {
  const open = (event: Event): void => {
    if (
      event instanceof KeyboardEvent &&
      event.key !== 'Enter' &&
      event.key !== ' '
    ) {
      return;
    }
    const target = event.target;
    const link =
      target instanceof Element
        ? target.closest(`[${RUN_LINK_ATTRIBUTE}]`)
        : null;
    const id = link?.getAttribute(RUN_LINK_ATTRIBUTE);
    if (!link || !id) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const notebook = tracker?.find(panel => panel.node.contains(link));
    const args = notebook
      ? { id, path: PathExt.dirname(notebook.context.localPath) }
      : { id };
    app.shell.activateById(SIDEBAR_ID);
    void app.commands.execute(CommandIDs.openRun, args);
  };
  document.addEventListener('click', open, true);
  document.addEventListener('keydown', open, true);
  return new DisposableDelegate(() => {
    document.removeEventListener('click', open, true);
    document.removeEventListener('keydown', open, true);
  });
}
