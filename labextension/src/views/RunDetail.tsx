/**
 * One run in a main-area tab: params, metric charts, editable name, tags and note,
 * artifacts, environment and the execution record. What it shows comes from its
 * `RunDetailModel`, which loads the run and keeps a running run fresh.
 */
import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { ArtifactsList } from '../components/ArtifactsList';
import { DataSection } from '../components/DataSection';
import { EnvironmentView } from '../components/EnvironmentView';
import { ErrorBox } from '../components/ErrorBox';
import { ExecutionRecord } from '../components/ExecutionRecord';
import { KeyValueTable } from '../components/KeyValueTable';
import { MetricsSection } from '../components/MetricsSection';
import { NameEditor } from '../components/NameEditor';
import { NoteEditor } from '../components/NoteEditor';
import { ReproduceButton } from '../components/ReproduceButton';
import { ReproducedBadge } from '../components/ReproducedBadge';
import { RunActions } from '../components/RunActions';
import { RunErrorBox } from '../components/RunErrorBox';
import { RunFacts } from '../components/RunFacts';
import { Section } from '../components/Section';
import { StatusBadge } from '../components/StatusBadge';
import { TagsEditor } from '../components/TagsEditor';
import { RunDetailModel } from '../detailModel';
import { useSignal } from '../hooks';
import { ModelView } from './ModelView';

export namespace RunDetailWidget {
  export interface IOptions {
    /** The run shown; the widget disposes it when it is disposed. */
    model: RunDetailModel;
    commands: CommandRegistry;
  }
}

export class RunDetailWidget extends ModelView<RunDetailModel> {
  constructor(options: RunDetailWidget.IOptions) {
    super(options.model, { ownsModel: true });
    this._commands = options.commands;
    this.addClass('jp-mlops-detail');
  }

  protected render(): React.ReactElement {
    return <RunDetailView model={this.model} commands={this._commands} />;
  }

  private readonly _commands: CommandRegistry;
}

function RunDetailView(props: {
  model: RunDetailModel;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, commands } = props;
  useSignal(model.stateChanged);
  const { run, error, path, runId, series, seriesErrors } = model.state;

  if (!run) {
    return (
      <div className="jp-mlops-detail-body">
        {error ? <ErrorBox error={error} /> : <p>Loading run {runId}…</p>}
      </div>
    );
  }
  const outputs = Object.keys(run.outputs).length;
  return (
    <div className="jp-mlops-detail-body" data-run-id={run.id}>
      <header className="jp-mlops-detail-header">
        <NameEditor
          name={run.name}
          onSave={name => void model.save({ name })}
        />
        <StatusBadge status={run.status} />
        <ReproducedBadge tags={run.tags} />
        <RunActions run={run} path={path} commands={commands} />
      </header>
      {error && <ErrorBox error={error} />}
      <RunFacts run={run} />
      {run.error && <RunErrorBox error={run.error} />}
      <Section title="Params" count={Object.keys(run.params).length}>
        <KeyValueTable values={run.params} empty="no params" />
      </Section>
      <Section title="Metrics" count={run.metric_keys.length}>
        <MetricsSection run={run} series={series} errors={seriesErrors} />
      </Section>
      <Section title="Reproducibility">
        <ReproduceButton
          api={model.api}
          runId={run.id}
          path={path}
          runStatus={run.status}
          hasSnapshot={run.has_snapshot}
          onVerdict={() => void model.refresh()}
        />
      </Section>
      {outputs > 0 && (
        <Section title="Outputs" count={outputs}>
          <KeyValueTable values={run.outputs} empty="no outputs" />
        </Section>
      )}
      <DataSection run={run} path={path} api={model.api} commands={commands} />
      <Section title="Tags" count={Object.keys(run.tags).length}>
        <TagsEditor
          tags={run.tags}
          onSave={tags => void model.save({ tags })}
        />
      </Section>
      <Section title="Note">
        <NoteEditor
          note={run.note}
          onSave={note => void model.save({ note })}
        />
      </Section>
      <Section title="Artifacts" count={run.artifacts.length}>
        <ArtifactsList
          artifacts={run.artifacts}
          fetch={name => model.artifact(name)}
        />
      </Section>
      <Section title="Environment">
        <EnvironmentView env={run.env} />
      </Section>
      <Section title="Execution record" count={run.execution_record.length}>
        <ExecutionRecord cells={run.execution_record} />
      </Section>
    </div>
  );
}
