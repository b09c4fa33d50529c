/**
 * The Data section of a run's detail: the files it read and wrote, each with a short
 * digest and its size, the runs that wrote each input's bytes (as links that open them),
 * and "Show lineage", which opens the graph around the run.
 */
import { CommandRegistry } from '@lumino/commands';
import React, { useEffect, useMemo, useState } from 'react';

import { asApiError, MlopsApi } from '../api';
import { formatBytes } from '../format';
import { IRunDetail } from '../payloads';
import { RegistryApi } from '../registryApi';
import { IFileRef, ILineage } from '../registryPayloads';
import { CommandIDs } from '../tokens';
import { Section } from './Section';

/** `sha256:0123456789ab`: enough to tell versions apart; the full digest is its tooltip. */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.includes(':')
    ? digest.split(':', 2)
    : ['', digest];
  return `${algo ? `${algo}:` : ''}${(hex ?? '').slice(0, 12)}`;
}

export interface IProducer {
  id: string;
  name: string;
}

/** The runs (other than `runId`) that wrote each file version, by lineage node id. */
export function producersOf(
  graph: ILineage,
  runId: string
): Map<string, IProducer[]> {
  const runs = new Map<string, IProducer>();
  for (const node of graph.nodes) {
    if (node.kind === 'run' && node.run_id) {
      runs.set(node.id, { id: node.run_id, name: node.label });
    }
  }
  const found = new Map<string, IProducer[]>();
  for (const edge of graph.edges) {
    const run = runs.get(edge.source);
    if (edge.kind !== 'wrote' || !run || run.id === runId) {
      continue;
    }
    found.set(edge.target, [...(found.get(edge.target) ?? []), run]);
  }
  return found;
}

export function fileNodeId(ref: IFileRef): string {
  return `file:${ref.path}@${ref.digest}`;
}

type Producers =
  | { state: 'loading' }
  | { state: 'failed'; detail: string }
  | { state: 'loaded'; byFile: Map<string, IProducer[]> };

export function DataSection(props: {
  run: IRunDetail;
  /** Directory whose store holds the run. */
  path: string;
  api: MlopsApi;
  commands: CommandRegistry;
}): React.ReactElement {
  const { run, path, commands } = props;
  const registry = useMemo(() => new RegistryApi(props.api), [props.api]);
  const files = run.files ?? [];
  const inputs = files.filter(f => f.role === 'input');
  const outputs = files.filter(f => f.role === 'output');
  const [producers, setProducers] = useState<Producers>({ state: 'loading' });
  const inputKey = inputs.map(fileNodeId).join('\n');

  useEffect(() => {
    if (!inputs.length) {
      return;
    }
    let current = true;
    setProducers({ state: 'loading' });
    registry
      .lineage({ run: run.id, path })
      .then(graph => {
        if (current) {
          setProducers({ state: 'loaded', byFile: producersOf(graph, run.id) });
        }
      })
      .catch((error: unknown) => {
        if (current) {
          setProducers({ state: 'failed', detail: asApiError(error).detail });
        }
      });
    return () => {
      current = false;
    };
  }, [registry, run.id, path, inputKey]);

  const openRun = (id: string): void => {
    void commands.execute(CommandIDs.openRun, { id, path });
  };
  const showLineage = (): void => {
    void commands.execute(CommandIDs.showLineage, { run: run.id, path });
  };

  const producerCell = (ref: IFileRef): React.ReactNode => {
    if (producers.state === 'loading') {
      return <span className="jp-mlops-muted">…</span>;
    }
    if (producers.state === 'failed') {
      return <span className="jp-mlops-muted">unknown</span>;
    }
    const found = producers.byFile.get(fileNodeId(ref)) ?? [];
    if (!found.length) {
      return (
        <span
          className="jp-mlops-muted"
          title="No tracked run wrote these bytes"
        >
          not tracked
        </span>
      );
    }
    return found.slice(0, 3).map((producer, i) => (
      <React.Fragment key={producer.id}>
        {i > 0 && ', '}
        <button
          className="jp-mlops-link jp-mlops-data-producer"
          data-run-id={producer.id}
          title={`Open run ${producer.name} (${producer.id})`}
          onClick={() => {
            openRun(producer.id);
          }}
        >
          {producer.name}
        </button>
      </React.Fragment>
    ));
  };

  return (
    <Section title="Data" count={files.length}>
      <div className="jp-mlops-data">
        {files.length === 0 ? (
          <p className="jp-mlops-muted">
            no files recorded: %%track cells and runner runs record the files
            they open; mlops.log_input and mlops.log_output name them explicitly
          </p>
        ) : (
          <>
            <table className="jp-mlops-data-table" aria-label="Files">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Digest</th>
                  <th>Size</th>
                  <th>Written by</th>
                </tr>
              </thead>
              <FileRows
                title="Inputs"
                role="input"
                files={inputs}
                extra={producerCell}
              />
              <FileRows title="Outputs" role="output" files={outputs} />
            </table>
            {producers.state === 'failed' && inputs.length > 0 && (
              <p className="jp-mlops-error-text">
                The runs that wrote the inputs are unknown: {producers.detail}
              </p>
            )}
          </>
        )}
        <button
          className="jp-mlops-button jp-mlops-show-lineage"
          onClick={showLineage}
          title="Runs, files and model versions upstream and downstream of this run"
        >
          Show lineage
        </button>
      </div>
    </Section>
  );
}

function FileRows(props: {
  title: string;
  role: string;
  files: IFileRef[];
  /** The last column's cell of each file. */
  extra?: (ref: IFileRef) => React.ReactNode;
}): React.ReactElement {
  const { files, extra } = props;
  return (
    <tbody data-role={props.role}>
      <tr className="jp-mlops-data-group">
        <th colSpan={4}>
          {props.title}
          {!files.length && <span className="jp-mlops-muted"> none</span>}
        </th>
      </tr>
      {files.map(ref => (
        <tr key={`${ref.path}\n${ref.digest}`} data-path={ref.path}>
          <td className="jp-mlops-data-path" title={ref.path}>
            {ref.name && ref.name !== ref.path ? (
              <>
                {ref.name} <span className="jp-mlops-muted">{ref.path}</span>
              </>
            ) : (
              ref.path
            )}
          </td>
          <td className="jp-mlops-data-digest" title={ref.digest}>
            <code>{shortDigest(ref.digest)}</code>
          </td>
          <td className="jp-mlops-data-size">
            {ref.size === null ? '–' : formatBytes(ref.size)}
          </td>
          <td>{extra?.(ref)}</td>
        </tr>
      ))}
    </tbody>
  );
}
