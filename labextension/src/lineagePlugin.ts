/**
 * "Show lineage": the `jupyter-mlops:show-lineage` command, from a run (`{run, path}`, the
 * run detail's Data section and the Models section), a recorded file (`{file, path}`) or
 * a file in the file browser (`{browserPath}`, or its context menu on a file).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { runsIcon } from './icons';
import { LineageModel, originLabel } from './lineageModel';
import { showInMainArea } from './mainArea';
import { LineageOrigin, RegistryApi } from './registryApi';
import { CommandIDs, IMlopsRuns } from './tokens';
import { LineageWidget } from './views/LineageView';

function text(args: ReadonlyPartialJSONObject, name: string): string | null {
  const value = args[name];
  return typeof value === 'string' && value ? value : null;
}

/** Where the command's arguments say the lineage starts; null when they name nothing. */
export function originOf(
  args: ReadonlyPartialJSONObject,
  selectedFile: () => string | null
): LineageOrigin | null {
  const path = text(args, 'path') ?? '';
  const run = text(args, 'run');
  if (run) {
    return { run, path };
  }
  const file = text(args, 'file');
  if (file) {
    return { file, path };
  }
  const browserPath = text(args, 'browserPath') ?? selectedFile();
  return browserPath ? { browserPath } : null;
}

export const lineagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:lineage',
  description:
    'The lineage graph of a run or a file: the runs, files and model versions around it.',
  autoStart: true,
  requires: [IMlopsRuns],
  optional: [IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    mlops: IMlopsRuns,
    browser: IDefaultFileBrowser | null
  ): void => {
    const registry = new RegistryApi(mlops.api);
    const views = new Map<string, MainAreaWidget<LineageWidget>>();
    let opened = 0;

    const selectedFile = (): string | null => {
      const item = browser?.selectedItems().next();
      return item && !item.done && item.value.type !== 'directory'
        ? item.value.path
        : null;
    };

    app.commands.addCommand(CommandIDs.showLineage, {
      label: 'Show Lineage',
      caption:
        'The runs that wrote and read this file, and the model versions made from it',
      icon: runsIcon,
      execute: args => {
        const origin = originOf(args, selectedFile);
        if (!origin) {
          return;
        }
        const focus = text(args, 'focus');
        const key = JSON.stringify(origin);
        let view = views.get(key);
        if (!view || view.isDisposed) {
          const model = new LineageModel(registry, origin, focus);
          const content = new LineageWidget(model, app.commands);
          const widget = new MainAreaWidget({ content });
          view = widget;
          widget.id = `jupyter-mlops-lineage-${++opened}`;
          widget.title.icon = runsIcon;
          widget.title.closable = true;
          const retitle = (): void => {
            const label = originLabel(model.state.origin);
            widget.title.label = `Lineage: ${label.split('/').pop() ?? label}`;
            widget.title.caption = `Lineage of ${label}`;
          };
          retitle();
          model.stateChanged.connect(retitle);
          void model.refresh();
          views.set(key, view);
          view.disposed.connect(() => views.delete(key));
        }
        showInMainArea(app, view);
      }
    });

    app.contextMenu.addItem({
      command: CommandIDs.showLineage,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 60
    });
  }
};
