/**
 * The sidebar: experiment picker, filter box, runs table with chosen columns, pager
 * and actions on the selected runs.
 */
import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { ColumnsMenu } from '../components/ColumnsMenu';
import { ExperimentPicker } from '../components/ExperimentPicker';
import { FilterBox } from '../components/FilterBox';
import { Pager } from '../components/Pager';
import { RunsTable } from '../components/RunsTable';
import { SelectionBar } from '../components/SelectionBar';
import { StoreProblem } from '../components/StoreProblem';
import { useSignal } from '../hooks';
import { RunsModel } from '../model';
import { SIDEBAR_ID } from '../tokens';
import { ModelsSection } from './ModelsPanel';
import { ModelView } from './ModelView';

export class RunsPanel extends ModelView<RunsModel> {
  constructor(options: { model: RunsModel; commands: CommandRegistry }) {
    super(options.model, { ownsModel: false });
    this._commands = options.commands;
    this.id = SIDEBAR_ID;
    this.addClass('jp-mlops-sidebar');
  }

  /** A warning shown at the top of the panel (e.g. a version mismatch); null clears it. */
  setNotice(notice: string | null): void {
    this._notice = notice;
    this.update();
  }

  get notice(): string | null {
    return this._notice;
  }

  protected render(): React.ReactElement {
    return (
      <RunsView
        model={this.model}
        commands={this._commands}
        notice={this._notice}
      />
    );
  }

  private readonly _commands: CommandRegistry;
  private _notice: string | null = null;
}

function RunsView(props: {
  model: RunsModel;
  commands: CommandRegistry;
  notice: string | null;
}): React.ReactElement {
  const { model, commands } = props;
  useSignal(model.stateChanged);
  useSignal(model.selectionChanged);
  const state = model.state;
  return (
    <div className="jp-mlops-panel">
      <div className="jp-mlops-panel-header">
        <h2>Runs</h2>
        <span className="jp-mlops-store" title={state.store}>
          {state.path ? `/${state.path}` : '/'}
        </span>
        <button
          className="jp-mlops-button jp-mlops-icon-button"
          title="Refresh"
          aria-label="Refresh"
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
      </div>
      {props.notice && (
        <div className="jp-mlops-notice" role="alert">
          {props.notice}
        </div>
      )}
      <div className="jp-mlops-toolbar">
        <ExperimentPicker model={model} />
        <ColumnsMenu model={model} />
      </div>
      <FilterBox model={model} />
      {state.error ? (
        <StoreProblem
          error={state.error}
          onRetry={() => void model.refresh()}
        />
      ) : (
        <RunsTable model={model} commands={commands} />
      )}
      <Pager model={model} />
      <SelectionBar model={model} commands={commands} />
      <ModelsSection runs={model} commands={commands} />
    </div>
  );
}
