/**
 * The `jupyter-mlops:*` commands: open a run, compare, re-run, delete, tag, open a
 * snapshot, and insert `%%track` into the active notebook cell.
 */
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { asApiError, MlopsApi } from './api';
import { CompareModel } from './compareModel';
import { RunDetailModel } from './detailModel';
import { LOAD_EXTENSION, parseTag, tagProblem, withTrackMagic } from './edits';
import { runsIcon } from './icons';
import { showInMainArea } from './mainArea';
import { RunsModel } from './model';
import { JSONValue } from './payloads';
import { CommandIDs, SIDEBAR_ID } from './tokens';
import { CompareWidget } from './views/CompareView';
import { RerunForm } from './views/RerunForm';
import { RunDetailWidget } from './views/RunDetail';
import { RunDetailPanel } from './views/RunDetailPanel';
import { snapshotWidget } from './views/snapshot';

export interface ICommandContext {
  app: JupyterFrontEnd;
  api: MlopsApi;
  model: RunsModel;
  tracker: INotebookTracker | null;
  palette: ICommandPalette | null;
  rendermime: IRenderMimeRegistry | null;
  editorServices: IEditorServices | null;
  /** Reopens the run and compare tabs that were open when the page was reloaded. */
  restorer?: ILayoutRestorer | null;
}

const CATEGORY = 'MLOps';
function stringArg(
  args: ReadonlyPartialJSONObject,
  name: string
): string | null {
  const value = args[name];
  return typeof value === 'string' && value ? value : null;
}

function message(error: unknown): string {
  return asApiError(error).detail;
}

export function addCommands(ctx: ICommandContext): void {
  const { app, api, model, tracker } = ctx;
  const { commands, shell } = app;
  const details = new Map<string, MainAreaWidget<RunDetailWidget>>();
  const compares = new Map<string, MainAreaWidget<CompareWidget>>();
  let opened = 0;
  const detailTabs = new WidgetTracker<MainAreaWidget<RunDetailWidget>>({
    namespace: 'jupyter-mlops-run'
  });
  const compareTabs = new WidgetTracker<MainAreaWidget<CompareWidget>>({
    namespace: 'jupyter-mlops-compare'
  });
  void ctx.restorer?.restore(detailTabs, {
    command: CommandIDs.openRun,
    args: widget => ({
      id: widget.content.model.state.runId,
      path: widget.content.model.state.path
    }),
    name: widget =>
      `${widget.content.model.state.path}:${widget.content.model.state.runId}`
  });
  void ctx.restorer?.restore(compareTabs, {
    command: CommandIDs.compare,
    args: widget => ({
      ids: [...widget.content.model.state.ids],
      path: widget.content.model.state.path
    }),
    name: widget =>
      `${widget.content.model.state.path}:${widget.content.model.state.ids.join(',')}`
  });

  const pathOf = (args: ReadonlyPartialJSONObject): string =>
    typeof args['path'] === 'string' ? args['path'] : model.state.path;

  const idsOf = (args: ReadonlyPartialJSONObject): string[] => {
    const ids = args['ids'];
    if (Array.isArray(ids)) {
      return ids.filter((id): id is string => typeof id === 'string');
    }
    const id = stringArg(args, 'id');
    return id ? [id] : [...model.selected];
  };

  commands.addCommand(CommandIDs.open, {
    label: 'Show Runs Sidebar',
    caption: 'Show the runs of the active notebook’s store',
    icon: runsIcon,
    execute: () => {
      shell.activateById(SIDEBAR_ID);
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh Runs',
    execute: () => model.refresh()
  });

  commands.addCommand(CommandIDs.openRun, {
    label: 'Open Run Details',
    caption:
      'Open the selected run’s params, metrics, artifacts and environment',
    isEnabled: args => idsOf(args).length === 1,
    execute: async args => {
      const id = idsOf(args)[0];
      if (!id) {
        return;
      }
      const path = pathOf(args);
      const key = `${path}\n${id}`;
      let widget = details.get(key);
      if (!widget || widget.isDisposed) {
        const detail = new RunDetailModel({ api, path, runId: id });
        const content = new RunDetailWidget({ model: detail, commands });
        const view = new RunDetailPanel(content);
        view.id = `jupyter-mlops-run-${id}-${++opened}`;
        view.title.label = `Run ${id}`;
        view.title.icon = runsIcon;
        view.title.closable = true;
        detail.stateChanged.connect(() => {
          const run = detail.state.run;
          if (run) {
            view.title.label = `Run: ${run.name}`;
            view.title.caption = `${run.name} (${run.id})`;
          }
        });
        detail.runChanged.connect(() => void model.refresh());
        void detail.refresh();
        widget = view;
        details.set(key, widget);
        widget.disposed.connect(() => details.delete(key));
        // named for the layout restorer before the shell saves a layout holding it
        await detailTabs.add(view);
      }
      showInMainArea(app, widget);
    }
  });

  commands.addCommand(CommandIDs.compare, {
    label: 'Compare Selected Runs',
    caption:
      'Params, metrics, charts and notebook cells of two or more runs side by side',
    isEnabled: args => idsOf(args).length >= 2,
    execute: async args => {
      const ids = idsOf(args);
      if (ids.length < 2) {
        Notification.warning('Select two or more runs to compare.', {
          autoClose: 4000
        });
        return;
      }
      const path = pathOf(args);
      // one tab per comparison: two would share one name in the saved layout, and closing
      // either would drop the other from what a reload brings back
      const key = `${path}\n${ids.join(',')}`;
      let widget = compares.get(key);
      if (!widget || widget.isDisposed) {
        const comparison = new CompareModel({ api, path, ids });
        const content = new CompareWidget(comparison);
        void comparison.load();
        const view = new MainAreaWidget({ content });
        view.id = `jupyter-mlops-compare-${++opened}`;
        view.title.label = `Compare ${ids.length} runs`;
        view.title.icon = runsIcon;
        view.title.closable = true;
        widget = view;
        compares.set(key, view);
        view.disposed.connect(() => compares.delete(key));
        // named for the layout restorer before the shell saves a layout holding it; while
        // the page restores, the restorer waits for this before it lays out the main area
        await compareTabs.add(view);
      }
      showInMainArea(app, widget);
    }
  });

  commands.addCommand(CommandIDs.rerun, {
    label: 'Re-run With Edited Params…',
    caption:
      'Run the notebook of the selected run again with papermill, in the background',
    isEnabled: args => idsOf(args).length === 1,
    execute: async args => {
      const id = idsOf(args)[0];
      if (!id) {
        Notification.warning('Select one run to re-run.', { autoClose: 4000 });
        return;
      }
      const path = pathOf(args);
      try {
        const run = await api.run(id, path);
        const start = await api.rerunStart(id, path);
        if (!start.rerunnable) {
          // the whole reason, in a dialog: it says what to do instead (a toast cuts it short)
          await showDialog({
            title: `${run.name} cannot be re-run from here`,
            body: start.reason ?? 'The server gave no reason.',
            buttons: [Dialog.okButton({ label: 'Close' })]
          });
          return;
        }
        const suggest = async (
          changes: Record<string, JSONValue>
        ): Promise<string> => {
          const asked = await api.rerunStart(id, path, changes);
          return asked.suggested_name ?? asked.name;
        };
        const result = await showDialog({
          title: `Re-run ${run.name}`,
          body: new RerunForm(run, start, suggest),
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Re-run' })]
        });
        if (!result.button.accept || !result.value) {
          return;
        }
        const { params, name } = result.value;
        const newId = await api.rerun(run.id, params, path, name);
        model.expectRun(newId);
        await model.refresh();
        Notification.success(`Re-run of ${run.name} started as run ${newId}.`, {
          autoClose: 5000
        });
      } catch (error) {
        Notification.error(`Re-run failed: ${message(error)}`, {
          autoClose: false
        });
      }
    }
  });

  commands.addCommand(CommandIDs.deleteRuns, {
    label: 'Delete Selected Runs…',
    isEnabled: args => idsOf(args).length > 0,
    execute: async args => {
      const ids = idsOf(args);
      if (!ids.length) {
        return;
      }
      const path = pathOf(args);
      const names = ids.map(
        id => model.state.runs.find(r => r.id === id)?.name ?? id
      );
      const children = ids.reduce((sum, id) => sum + model.childCount(id), 0);
      const withChildren = children
        ? ` and ${ids.length === 1 ? 'its' : 'their'} ${children} child ${children === 1 ? 'run' : 'runs'}`
        : '';
      const body =
        `Delete ${ids.length === 1 ? 'run' : `${ids.length} runs`} ${names.join(', ')}${withChildren} with ` +
        'everything they logged (params, metrics, artifacts, snapshot)? This cannot be undone.';
      const result = await showDialog({
        title: ids.length === 1 ? 'Delete run?' : `Delete ${ids.length} runs?`,
        body,
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({ label: 'Delete' })
        ],
        defaultButton: 0 // Enter or a stray key press keeps the runs
      });
      if (!result.button.accept) {
        return;
      }
      const problems: string[] = [];
      for (const id of ids) {
        try {
          await api.deleteRun(id, path);
          for (const [key, widget] of details) {
            if (key.endsWith(`\n${id}`)) {
              widget.dispose();
            }
          }
        } catch (error) {
          problems.push(`${id}: ${message(error)}`);
        }
      }
      model.setSelected([...model.selected].filter(id => !ids.includes(id)));
      await model.refresh();
      if (problems.length) {
        Notification.error(
          `Some runs were not deleted. ${problems.join(' ')}`,
          {
            autoClose: false
          }
        );
      }
    }
  });

  commands.addCommand(CommandIDs.tag, {
    label: 'Tag Selected Runs…',
    isEnabled: args => idsOf(args).length > 0,
    execute: async args => {
      const ids = idsOf(args);
      if (!ids.length) {
        return;
      }
      const path = pathOf(args);
      // a tag that cannot be added brings the dialog back with what was typed and why
      let label = 'Tag as key=value';
      let typed = '';
      let tag: [string, string] | null = null;
      while (!tag) {
        const answer = await InputDialog.getText({
          title: ids.length === 1 ? 'Tag run' : `Tag ${ids.length} runs`,
          label,
          placeholder: 'stage=prod',
          text: typed
        });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        typed = answer.value;
        const parsed = parseTag(typed);
        const problem = parsed
          ? tagProblem(parsed[0])
          : `"${typed}" is not a tag: write it as key=value, e.g. stage=prod.`;
        if (problem) {
          label = problem;
        } else {
          tag = parsed;
        }
      }
      try {
        for (const id of ids) {
          const run = await api.run(id, path);
          await api.updateRun(
            id,
            { tags: { ...run.tags, [tag[0]]: tag[1] } },
            path
          );
        }
      } catch (error) {
        Notification.error(`Tagging failed: ${message(error)}`, {
          autoClose: false
        });
      }
      await model.refresh();
    }
  });

  commands.addCommand(CommandIDs.openSnapshot, {
    label: 'Open Run Snapshot (Read-Only)',
    caption: 'Open the notebook as it was when the run was tracked',
    isEnabled: args => idsOf(args).length === 1 && ctx.rendermime !== null,
    execute: async args => {
      const id = idsOf(args)[0];
      const { rendermime, editorServices } = ctx;
      if (!id || !rendermime || !editorServices) {
        return;
      }
      const path = pathOf(args);
      try {
        const [notebook, run] = await Promise.all([
          api.snapshot(id, path),
          api.run(id, path)
        ]);
        const widget = snapshotWidget({
          notebook,
          title: `${run.name} (snapshot)`,
          rendermime,
          editorServices
        });
        widget.id = `jupyter-mlops-snapshot-${id}-${Date.now()}`;
        widget.title.icon = runsIcon;
        widget.title.closable = true;
        showInMainArea(app, widget);
      } catch (error) {
        Notification.error(`Cannot open the snapshot: ${message(error)}`, {
          autoClose: 8000
        });
      }
    }
  });

  commands.addCommand(CommandIDs.trackCell, {
    label: 'Track This Cell',
    caption:
      'Insert %%track at the top of the active cell: running it records a run',
    icon: runsIcon,
    isEnabled: () => tracker?.activeCell?.model.type === 'code',
    execute: () => {
      const cell = tracker?.activeCell;
      const notebook = tracker?.currentWidget;
      if (!cell || !notebook || cell.model.type !== 'code') {
        return;
      }
      const shared = cell.model.sharedModel;
      shared.setSource(withTrackMagic(shared.getSource()));
      const sources = notebook.content.widgets.map(c =>
        c.model.sharedModel.getSource()
      );
      if (!sources.some(source => source.includes(LOAD_EXTENSION))) {
        Notification.info(
          `%%track needs the extension loaded: add "${LOAD_EXTENSION}" first.`,
          {
            autoClose: 8000,
            actions: [
              {
                label: 'Add it at the top',
                callback: () => {
                  notebook.content.model?.sharedModel.insertCell(0, {
                    cell_type: 'code',
                    source: LOAD_EXTENSION
                  });
                }
              }
            ]
          }
        );
      }
    }
  });

  // the toolbar button's enabled state follows the active cell's type
  tracker?.activeCellChanged.connect(() => {
    commands.notifyCommandChanged(CommandIDs.trackCell);
  });

  if (ctx.palette) {
    for (const command of [
      CommandIDs.open,
      CommandIDs.refresh,
      CommandIDs.openRun,
      CommandIDs.compare,
      CommandIDs.rerun,
      CommandIDs.tag,
      CommandIDs.deleteRuns,
      CommandIDs.openSnapshot,
      CommandIDs.trackCell
    ]) {
      ctx.palette.addItem({ command, category: CATEGORY });
    }
  }
}
