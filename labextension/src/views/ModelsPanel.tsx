/**
 * The Models section at the foot of the runs sidebar: each registered model with its
 * aliases; opened, its versions (each linked to its run and its lineage), its aliases with
 * "Move…" (a confirmation dialog picks the version) and "Remove", and each alias's
 * promotion history ("production: v2 → v3, by ana, 2026-12-01 10:00:00").
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import React, { useEffect, useMemo, useState } from 'react';

import { RefreshButton } from '../components/RefreshButton';
import { formatBytes, formatTime } from '../format';
import { useSignal } from '../hooks';
import { RunsModel } from '../model';
import { describeMove, ModelsModel } from '../modelsModel';
import {
  IModelDetail,
  IModelSummary,
  IModelVersion
} from '../registryPayloads';
import { CommandIDs } from '../tokens';

/** The body of the "Move alias" dialog: which version the alias should point at. */
class VersionPicker extends Widget {
  constructor(text: string, versions: IModelVersion[], current: number) {
    super();
    this.addClass('jp-mlops-version-picker');
    const label = document.createElement('label');
    label.textContent = text;
    this._select = document.createElement('select');
    this._select.className = 'jp-mlops-version-select';
    for (const version of versions) {
      const option = document.createElement('option');
      option.value = String(version.version);
      const run = version.run ? ` · run ${version.run.name}` : '';
      const aliases = version.aliases.length
        ? ` · @${version.aliases.join(' @')}`
        : '';
      option.textContent = `v${version.version}${aliases}${run}`;
      option.disabled = version.version === current;
      this._select.appendChild(option);
    }
    const first = versions.find(v => v.version !== current);
    if (first) {
      this._select.value = String(first.version);
    }
    label.appendChild(this._select);
    this.node.appendChild(label);
  }

  getValue(): number {
    return Number(this._select.value);
  }

  private readonly _select: HTMLSelectElement;
}

export function ModelsSection(props: {
  runs: RunsModel;
  commands: CommandRegistry;
}): React.ReactElement {
  const { runs, commands } = props;
  const model = useMemo(() => new ModelsModel(runs.api), [runs]);
  const [expanded, setExpanded] = useState(false);
  useSignal(model.stateChanged);
  useEffect(
    () => () => {
      model.dispose();
    },
    [model]
  );
  useEffect(() => {
    // follow the sidebar's store, and refresh after each of its refreshes
    let loading = runs.state.loading;
    const follow = (): void => {
      const wasLoading = loading;
      loading = runs.state.loading;
      if (runs.state.path !== model.state.path || !model.state.loaded) {
        // the first time, or another store: setPath loads once per directory
        void model.setPath(runs.state.path);
      } else if (wasLoading && !loading) {
        void model.refresh();
      }
    };
    runs.stateChanged.connect(follow);
    follow();
    return () => {
      runs.stateChanged.disconnect(follow);
    };
  }, [runs, model]);

  const state = model.state;
  const path = state.path;
  return (
    <section
      className="jp-mlops-models"
      aria-label="Registered models"
      data-expanded={expanded}
    >
      <div className="jp-mlops-models-header">
        <button
          className="jp-mlops-models-toggle"
          aria-expanded={expanded}
          onClick={() => {
            setExpanded(!expanded);
          }}
        >
          <span className="jp-mlops-caret">{expanded ? '▾' : '▸'}</span>
          Models
          <span className="jp-mlops-count">{state.models.length}</span>
        </button>
        <RefreshButton
          label="Refresh models"
          onRefresh={() => model.refresh()}
        />
      </div>
      {expanded && (
        <div className="jp-mlops-models-body">
          {state.error ? (
            <p className="jp-mlops-error-text" role="alert">
              {state.error.detail}
            </p>
          ) : !state.loaded ? (
            <p className="jp-mlops-muted">Loading models…</p>
          ) : !state.models.length ? (
            <p className="jp-mlops-muted">
              no registered models: register one with mlops.register_model(name,
              path) or jupyter mlops models register
            </p>
          ) : (
            <ul className="jp-mlops-model-list">
              {state.models.map(summary => (
                <ModelItem
                  key={summary.name}
                  summary={summary}
                  open={state.open.includes(summary.name)}
                  detail={state.details[summary.name]}
                  problem={state.problems[summary.name]}
                  onToggle={() => void model.toggle(summary.name)}
                  onMove={alias => void moveAlias(model, summary.name, alias)}
                  onRemove={alias =>
                    void removeAlias(model, summary.name, alias)
                  }
                  openRun={id =>
                    void commands.execute(CommandIDs.openRun, { id, path })
                  }
                  showLineage={(run, focus) =>
                    void commands.execute(CommandIDs.showLineage, {
                      run,
                      path,
                      focus
                    })
                  }
                />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

async function moveAlias(
  model: ModelsModel,
  name: string,
  alias: string
): Promise<void> {
  const detail = model.state.details[name];
  const current = detail?.aliases[alias];
  if (!detail || current === undefined) {
    return;
  }
  if (detail.versions.length < 2) {
    await showDialog({
      title: `Move ${alias}`,
      body: `${name} has only one version (v${current}): register another version first.`,
      buttons: [Dialog.okButton()]
    });
    return;
  }
  const result = await showDialog({
    title: `Move ${alias} of ${name}?`,
    body: new VersionPicker(
      `${alias} points at v${current} now. Code that loads models:/${name}@${alias} ` +
        'gets the version chosen here from its next load. Move it to:',
      detail.versions,
      current
    ),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Move' })]
  });
  if (!result.button.accept || result.value === null) {
    return;
  }
  await model.moveAlias(name, alias, result.value);
}

async function removeAlias(
  model: ModelsModel,
  name: string,
  alias: string
): Promise<void> {
  const current = model.state.details[name]?.aliases[alias];
  const result = await showDialog({
    title: `Remove ${alias} of ${name}?`,
    body:
      `${alias} points at v${current ?? '?'} now. Loading models:/${name}@${alias} ` +
      'fails once it is removed, until it is set again. Its history is kept.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Remove' })]
  });
  if (result.button.accept) {
    await model.removeAlias(name, alias);
  }
}

function aliasChips(aliases: Record<string, number>): React.ReactElement[] {
  return Object.entries(aliases)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([alias, version]) => (
      <span key={alias} className="jp-mlops-alias" data-alias={alias}>
        @{alias}
        <span className="jp-mlops-alias-version">v{version}</span>
      </span>
    ));
}

function ModelItem(props: {
  summary: IModelSummary;
  open: boolean;
  detail: IModelDetail | undefined;
  problem: string | undefined;
  onToggle: () => void;
  onMove: (alias: string) => void;
  onRemove: (alias: string) => void;
  openRun: (id: string) => void;
  showLineage: (run: string, focus: string) => void;
}): React.ReactElement {
  const { summary, detail, open } = props;
  return (
    <li className="jp-mlops-model" data-model={summary.name}>
      <button
        className="jp-mlops-model-name"
        aria-expanded={open}
        onClick={props.onToggle}
        title={`${summary.name}: ${summary.latest_version ?? 0} versions`}
      >
        <span className="jp-mlops-caret">{open ? '▾' : '▸'}</span>
        <span className="jp-mlops-model-title">{summary.name}</span>
        <span className="jp-mlops-muted">v{summary.latest_version ?? '–'}</span>
      </button>
      <span className="jp-mlops-aliases">{aliasChips(summary.aliases)}</span>
      {props.problem && (
        <p className="jp-mlops-error-text jp-mlops-model-problem" role="alert">
          {props.problem}
        </p>
      )}
      {open &&
        (detail ? (
          <ModelDetail {...props} detail={detail} />
        ) : (
          !props.problem && <p className="jp-mlops-muted">Loading…</p>
        ))}
    </li>
  );
}

function ModelDetail(props: {
  detail: IModelDetail;
  onMove: (alias: string) => void;
  onRemove: (alias: string) => void;
  openRun: (id: string) => void;
  showLineage: (run: string, focus: string) => void;
}): React.ReactElement {
  const { detail } = props;
  const aliases = Object.entries(detail.aliases).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const shownVersions = detail.versions.length;
  return (
    <div className="jp-mlops-model-detail">
      <h4>Aliases</h4>
      {aliases.length ? (
        <table className="jp-mlops-model-aliases">
          <tbody>
            {aliases.map(([alias, version]) => (
              <tr key={alias} data-alias={alias}>
                <th>@{alias}</th>
                <td>v{version}</td>
                <td className="jp-mlops-model-actions">
                  <button
                    className="jp-mlops-button jp-mlops-move-alias"
                    title={`Point ${alias} at another version`}
                    onClick={() => {
                      props.onMove(alias);
                    }}
                  >
                    Move…
                  </button>
                  <button
                    className="jp-mlops-button jp-mlops-danger jp-mlops-remove-alias"
                    title={`Remove the alias ${alias}`}
                    onClick={() => {
                      props.onRemove(alias);
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="jp-mlops-muted">
          no aliases: set one with jupyter mlops models alias NAME ALIAS VERSION
        </p>
      )}
      <h4>Versions</h4>
      <ul className="jp-mlops-model-versions">
        {detail.versions.map(version => (
          <VersionRow key={version.version} version={version} {...props} />
        ))}
      </ul>
      {detail.total_versions > shownVersions && (
        <p className="jp-mlops-muted">
          the newest {shownVersions} of {detail.total_versions} versions; the
          others: jupyter mlops models show {detail.name}
        </p>
      )}
      <h4>Promotion history (newest first)</h4>
      {detail.alias_history.length ? (
        <ul className="jp-mlops-alias-history">
          {[...detail.alias_history].reverse().map((move, i) => (
            <li key={i} data-alias={move.alias}>
              {describeMove(move)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="jp-mlops-muted">no alias was ever set</p>
      )}
    </div>
  );
}

function VersionRow(props: {
  version: IModelVersion;
  openRun: (id: string) => void;
  showLineage: (run: string, focus: string) => void;
}): React.ReactElement {
  const { version } = props;
  const runId = version.run_id;
  return (
    <li className="jp-mlops-model-version" data-version={version.version}>
      <span className="jp-mlops-model-version-number">v{version.version}</span>
      {version.aliases.map(alias => (
        <span key={alias} className="jp-mlops-alias">
          @{alias}
        </span>
      ))}
      <span
        className="jp-mlops-muted"
        title={`${version.artifact} · ${version.digest} · registered ${formatTime(version.created_at)}${version.user ? ` by ${version.user}` : ''}`}
      >
        {formatBytes(version.size)}
      </span>
      <span className="jp-mlops-model-version-links">
        {runId && version.run ? (
          <button
            className="jp-mlops-link jp-mlops-version-run"
            data-run-id={runId}
            title={`Open run ${version.run.name} (${runId})`}
            onClick={() => {
              props.openRun(runId);
            }}
          >
            {version.run.name}
          </button>
        ) : (
          <span className="jp-mlops-muted">run deleted</span>
        )}
        {runId && version.run && (
          <button
            className="jp-mlops-link jp-mlops-version-lineage"
            title="The data and runs this version came from"
            onClick={() => {
              props.showLineage(
                runId,
                `model:${version.name}/${version.version}`
              );
            }}
          >
            lineage
          </button>
        )}
      </span>
    </li>
  );
}
