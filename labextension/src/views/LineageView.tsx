/**
 * The lineage graph in a main-area tab: runs, files and model versions as nodes, "read",
 * "wrote" and "registered" as edges, laid out by dagre. A run opens its detail, a file
 * re-centres the graph on it; a big graph is drawn around where it started.
 */
import { CommandRegistry } from '@lumino/commands';
import React, { useEffect, useMemo, useRef } from 'react';

import { RefreshButton } from '../components/RefreshButton';
import { useSignal } from '../hooks';
import {
  boundNotice,
  IPlacedEdge,
  IPlacedNode,
  layoutLineage,
  MAX_DRAWN_NODES
} from '../lineageLayout';
import { LineageModel, originLabel } from '../lineageModel';
import { ILineage } from '../registryPayloads';
import { CommandIDs } from '../tokens';
import { ModelView } from './ModelView';

export class LineageWidget extends ModelView<LineageModel> {
  constructor(model: LineageModel, commands: CommandRegistry) {
    super(model, { ownsModel: true });
    this._commands = commands;
    this.addClass('jp-mlops-lineage');
  }

  protected render(): React.ReactElement {
    return <LineageView model={this.model} commands={this._commands} />;
  }

  private readonly _commands: CommandRegistry;
}

function LineageView(props: {
  model: LineageModel;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, commands } = props;
  useSignal(model.stateChanged);
  const { graph, error, loading, origin, back, focus } = model.state;
  const layout = useMemo(
    () => (graph ? layoutLineage(graph, MAX_DRAWN_NODES) : null),
    [graph]
  );
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // bring where the graph starts into view
    const target = scroller.current?.querySelector(
      '.jp-mlops-lineage-node[data-start="true"]'
    );
    target?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [layout]);

  const activate = (placed: IPlacedNode): void => {
    const node = placed.node;
    if (node.kind === 'run' && node.run_id) {
      void commands.execute(CommandIDs.openRun, {
        id: node.run_id,
        path: model.path
      });
    } else if (node.kind === 'file' && node.path) {
      void model.recentre(node.path);
    }
  };

  const notice =
    graph && layout ? boundNotice(graph, layout.nodes.length) : null;
  return (
    <div className="jp-mlops-lineage-body">
      <header className="jp-mlops-lineage-header">
        {back.length > 0 && (
          <button
            className="jp-mlops-button jp-mlops-lineage-back"
            onClick={() => void model.goBack()}
            title={`Back to the lineage of ${back.map(originLabel).pop() ?? ''}`}
          >
            ← Back
          </button>
        )}
        <h2>
          Lineage of{' '}
          <span className="jp-mlops-lineage-origin">{originLabel(origin)}</span>
        </h2>
        {graph && (
          <span className="jp-mlops-muted jp-mlops-lineage-counts">
            {countOf(graph, 'run', 'run')}, {countOf(graph, 'file', 'file')},{' '}
            {countOf(graph, 'model', 'model version')}
          </span>
        )}
        <RefreshButton label="Refresh" onRefresh={() => model.refresh()} />
      </header>
      <Legend />
      {notice && (
        <div className="jp-mlops-notice jp-mlops-lineage-bound" role="status">
          {notice}
        </div>
      )}
      {error ? (
        <div className="jp-mlops-problem jp-mlops-lineage-problem" role="alert">
          <p>
            <strong>No lineage for {originLabel(origin)}.</strong>
          </p>
          <p className="jp-mlops-problem-detail">{error.detail}</p>
        </div>
      ) : !layout ? (
        <p className="jp-mlops-muted">{loading ? 'Loading lineage…' : ''}</p>
      ) : (
        <div className="jp-mlops-lineage-scroll" ref={scroller}>
          <svg
            className="jp-mlops-lineage-graph"
            width={layout.width}
            height={layout.height}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            role="group"
            aria-label={`Lineage of ${originLabel(origin)}`}
          >
            <defs>
              <marker
                id="jp-mlops-lineage-arrow"
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path
                  d="M 0 0 L 10 5 L 0 10 z"
                  className="jp-mlops-lineage-arrowhead"
                />
              </marker>
            </defs>
            {layout.edges.map(placed => (
              <Edge
                key={`${placed.edge.source}\n${placed.edge.target}`}
                placed={placed}
              />
            ))}
            {layout.nodes.map(placed => (
              <Node
                key={placed.node.id}
                placed={placed}
                focused={placed.node.id === focus}
                onActivate={() => {
                  activate(placed);
                }}
              />
            ))}
          </svg>
        </div>
      )}
    </div>
  );
}

function countOf(graph: ILineage, kind: string, word: string): string {
  const n = graph.nodes.filter(node => node.kind === kind).length;
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function Legend(): React.ReactElement {
  return (
    <p className="jp-mlops-lineage-legend jp-mlops-muted">
      <span className="jp-mlops-lineage-key" data-kind="file" /> file
      <span className="jp-mlops-lineage-key" data-kind="run" /> run
      <span className="jp-mlops-lineage-key" data-kind="model" /> model version
      · arrows: a run read a file, wrote a file, registered a model · click a
      run to open it, a file to centre the graph on it
    </p>
  );
}

function Edge(props: { placed: IPlacedEdge }): React.ReactElement | null {
  const { points, edge } = props.placed;
  if (points.length < 2) {
    return null;
  }
  const d = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`)
    .join(' ');
  const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
  return (
    <g className="jp-mlops-lineage-edge" data-kind={edge.kind}>
      <path d={d} markerEnd="url(#jp-mlops-lineage-arrow)" />
      <text x={middle.x} y={middle.y - 4} textAnchor="middle">
        {edge.kind}
      </text>
    </g>
  );
}

function Node(props: {
  placed: IPlacedNode;
  focused: boolean;
  onActivate: () => void;
}): React.ReactElement {
  const { placed, focused } = props;
  const { node } = placed;
  const clickable = node.kind === 'run' || node.kind === 'file';
  const left = placed.x - placed.width / 2;
  const top = placed.y - placed.height / 2;
  const tooltip =
    node.kind === 'run'
      ? `Run ${node.label} (${node.run_id}), ${node.status}: click to open it`
      : node.kind === 'file'
        ? `${node.path} (${node.digest}): click to see the lineage of this file`
        : `${node.label} (models:/${node.name}/${node.version})`;
  return (
    <g
      className="jp-mlops-lineage-node"
      data-kind={node.kind}
      data-node-id={node.id}
      data-start={placed.start}
      data-focus={focused}
      data-status={node.status}
      transform={`translate(${left.toFixed(1)} ${top.toFixed(1)})`}
      role={clickable ? 'button' : undefined}
      tabIndex={clickable ? 0 : undefined}
      onClick={clickable ? props.onActivate : undefined}
      onKeyDown={
        clickable
          ? event => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                props.onActivate();
              }
            }
          : undefined
      }
    >
      <title>{tooltip}</title>
      <rect
        width={placed.width}
        height={placed.height}
        rx={node.kind === 'run' ? 6 : node.kind === 'model' ? 14 : 2}
      />
      <text x={10} y={17} className="jp-mlops-lineage-title">
        {placed.title}
      </text>
      <text x={10} y={33} className="jp-mlops-lineage-subtitle">
        {placed.subtitle}
      </text>
    </g>
  );
}
