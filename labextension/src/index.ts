/**
 * jupyter-mlops in JupyterLab: the runs sidebar, its commands and the notebook toolbar's
 * "Track this cell" button.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  CommandToolbarButton,
  ICommandPalette,
  IThemeManager,
  Notification
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { PathExt } from '@jupyterlab/coreutils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import {
  INotebookModel,
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { CommandRegistry } from '@lumino/commands';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { MlopsApi } from './api';
import { watchTheme } from './chartTheme';
import { addCommands } from './commands';
import { runsIcon } from './icons';
import { RunsModel } from './model';
import { lineagePlugin } from './lineagePlugin';
import { CommandIDs, IMlopsRuns, SIDEBAR_ID } from './tokens';
import { PACKAGE_VERSION, sameVersion } from './version';
import { RunsPanel } from './views/RunsPanel';

export { MlopsApi, ApiError } from './api';
export { RunDetailModel } from './detailModel';
export { CompareModel } from './compareModel';
export {
  chartColors,
  chartThemeChanged,
  useChartTheme,
  vegaConfig
} from './chartTheme';
export { RunsModel } from './model';
export { CommandIDs, IMlopsRuns, SIDEBAR_ID } from './tokens';

/** Adds the "Track this cell" button to every notebook's toolbar. */
class TrackCellButton implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(private readonly _commands: CommandRegistry) {}

  createNew(panel: NotebookPanel): IDisposable {
    const button = new CommandToolbarButton({
      commands: this._commands,
      id: CommandIDs.trackCell,
      label: 'Track'
    });
    button.addClass('jp-mlops-track-cell-button');
    panel.toolbar.insertItem(10, 'jupyter-mlops-track-cell', button);
    return new DisposableDelegate(() => {
      button.dispose();
    });
  }
}

/** Cells whose execution may have recorded a run. */
const TRACKING_CELL = /%%?track\b|\bmlops\.|jupyter_mlops/;

export function versionMismatch(server: string): string | null {
  if (sameVersion(server, PACKAGE_VERSION)) {
    return null;
  }
  return (
    `Version mismatch: the jupyter-mlops JupyterLab extension is ${PACKAGE_VERSION} but the ` +
    `server extension is ${server}. Reinstall one version of jupyter-mlops ` +
    '(pip install -U jupyter-mlops) and restart JupyterLab, then reload this page.'
  );
}

const plugin: JupyterFrontEndPlugin<IMlopsRuns> = {
  id: 'jupyter-mlops:plugin',
  description: 'A sidebar to find, compare and re-run tracked notebook runs.',
  autoStart: true,
  provides: IMlopsRuns,
  optional: [
    INotebookTracker,
    ICommandPalette,
    IRenderMimeRegistry,
    IEditorServices,
    ILayoutRestorer,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null,
    editorServices: IEditorServices | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null
  ): IMlopsRuns => {
    watchTheme(themes);
    const api = new MlopsApi(app.serviceManager.serverSettings);
    const model = new RunsModel({ api });
    const panel = new RunsPanel({ model, commands: app.commands });
    panel.title.icon = runsIcon;
    panel.title.caption = 'MLOps runs';
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, SIDEBAR_ID);

    addCommands({
      app,
      api,
      model,
      tracker,
      palette,
      rendermime,
      editorServices
    });
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new TrackCellButton(app.commands)
    );

    if (tracker) {
      const follow = (): void => {
        const current = tracker.currentWidget;
        if (current) {
          void model.setPath(PathExt.dirname(current.context.localPath));
        }
      };
      tracker.currentChanged.connect(() => {
        follow();
        tracker.currentWidget?.context.pathChanged.connect(follow);
      });
      follow();
    }

    // A cell that tracks a run has just finished: show the run without waiting.
    NotebookActions.executed.connect((_, { cell }) => {
      if (
        model.visible &&
        TRACKING_CELL.test(cell.model.sharedModel.getSource())
      ) {
        void model.refresh();
      }
    });

    api
      .info()
      .then(info => {
        const problem = versionMismatch(info.version);
        if (problem) {
          panel.setNotice(problem);
          Notification.warning(problem, { autoClose: false });
        }
      })
      .catch((error: unknown) => {
        console.warn(
          'jupyter-mlops: the server extension did not answer GET info',
          error
        );
      });

    return { api, model };
  }
};

export default [plugin, lineagePlugin];
