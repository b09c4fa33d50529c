/**
 * A lineage graph laid out for drawing: which nodes are shown (at most a bound, the
 * nearest to where the walk started), and where dagre (`@dagrejs/dagre`) puts them and
 * routes the edges, left to right from data to models.
 */
import dagre from '@dagrejs/dagre';

import { formatBytes } from './format';
import { ILineage, ILineageEdge, ILineageNode } from './registryPayloads';

/** Most nodes drawn: beyond it a graph is laid out slowly and read by nobody. */
export const MAX_DRAWN_NODES = 250;
export const NODE_HEIGHT = 42;
const MAX_LABEL = 32;

export interface IPlacedNode {
  node: ILineageNode;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The label cut to fit the box (the whole one is the tooltip). */
  title: string;
  /** A second line: what kind of node, its status, digest or aliases. */
  subtitle: string;
  start: boolean;
}

export interface IPlacedEdge {
  edge: ILineageEdge;
  points: { x: number; y: number }[];
}

export interface ILineageLayout {
  nodes: IPlacedNode[];
  edges: IPlacedEdge[];
  width: number;
  height: number;
  /** Nodes in the answer; `nodes.length` of them are drawn. */
  total: number;
}

export function cut(text: string, max = MAX_LABEL): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function subtitleOf(node: ILineageNode): string {
  if (node.kind === 'run') {
    return `run · ${node.status ?? ''}${node.user ? ` · ${node.user}` : ''}`;
  }
  if (node.kind === 'file') {
    const digest = (node.digest ?? '').replace(/^sha256:/, '').slice(0, 8);
    const size =
      node.size === null || node.size === undefined
        ? ''
        : ` · ${formatBytes(node.size)}`;
    return `file · ${digest}${size}`;
  }
  const aliases = (node.aliases ?? []).map(a => `@${a}`).join(' ');
  return `model${aliases ? ` · ${aliases}` : ''}`;
}

function titleOf(node: ILineageNode): string {
  if (node.kind === 'model') {
    return cut(`${node.name ?? node.label} v${node.version ?? ''}`);
  }
  if (node.kind === 'file') {
    // the end of a long path says most
    const label = node.path ?? node.label;
    return label.length <= MAX_LABEL
      ? label
      : `…${label.slice(-(MAX_LABEL - 1))}`;
  }
  return cut(node.label);
}

/**
 * The node ids to draw: breadth first from the start nodes, over edges both ways, until
 * `max` are found; so a big graph is shown around where the user looked.
 */
export function nearest(graph: ILineage, max: number): Set<string> {
  const known = new Set(graph.nodes.map(n => n.id));
  if (known.size <= max) {
    return known;
  }
  const neighbours = new Map<string, string[]>();
  for (const { source, target } of graph.edges) {
    neighbours.set(source, [...(neighbours.get(source) ?? []), target]);
    neighbours.set(target, [...(neighbours.get(target) ?? []), source]);
  }
  const kept = new Set<string>();
  const queue = graph.start.filter(id => known.has(id));
  for (let i = 0; i < queue.length && kept.size < max; i++) {
    const id = queue[i];
    if (id === undefined || kept.has(id)) {
      continue;
    }
    kept.add(id);
    for (const next of neighbours.get(id) ?? []) {
      if (!kept.has(next) && known.has(next)) {
        queue.push(next);
      }
    }
  }
  return kept;
}

export function layoutLineage(
  graph: ILineage,
  max = MAX_DRAWN_NODES
): ILineageLayout {
  const shown = nearest(graph, max);
  const start = new Set(graph.start);
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: 'LR',
    nodesep: 14,
    ranksep: 56,
    edgesep: 8,
    marginx: 12,
    marginy: 12
  });
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map<string, ILineageNode>();
  for (const node of graph.nodes) {
    if (!shown.has(node.id)) {
      continue;
    }
    byId.set(node.id, node);
    const title = titleOf(node);
    const subtitle = subtitleOf(node);
    const chars = Math.max(title.length, subtitle.length);
    g.setNode(node.id, {
      width: Math.min(260, Math.max(120, chars * 7 + 24)),
      height: NODE_HEIGHT,
      title,
      subtitle
    });
  }
  const edges = graph.edges.filter(
    e => byId.has(e.source) && byId.has(e.target) && e.source !== e.target
  );
  for (const edge of edges) {
    g.setEdge(edge.source, edge.target, { minlen: 1 });
  }
  dagre.layout(g);
  const nodes: IPlacedNode[] = [];
  for (const [id, node] of byId) {
    const placed = g.node(id) as Omit<IPlacedNode, 'node' | 'start'>;
    nodes.push({
      node,
      x: placed.x,
      y: placed.y,
      width: placed.width,
      height: placed.height,
      title: placed.title,
      subtitle: placed.subtitle,
      start: start.has(id)
    });
  }
  const placedEdges = edges.map(edge => ({
    edge,
    points:
      (g.edge(edge.source, edge.target) as { points?: IPoint[] }).points ?? []
  }));
  const label = g.graph() as { width?: number; height?: number };
  return {
    nodes,
    edges: placedEdges,
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    total: graph.nodes.length
  };
}

interface IPoint {
  x: number;
  y: number;
}

/** What the notice above a bounded graph says, or null when all of it is drawn. */
export function boundNotice(graph: ILineage, drawn: number): string | null {
  const parts: string[] = [];
  if (drawn < graph.nodes.length) {
    parts.push(
      `Showing the ${drawn} nodes nearest to where the graph starts, of ` +
        `${graph.nodes.length} found.`
    );
  }
  if (graph.truncated) {
    parts.push(
      'The server stopped the walk at its bound, so the lineage goes on past ' +
        'what is shown.'
    );
  }
  if (!parts.length) {
    return null;
  }
  parts.push('Click a file further out to see the graph around it.');
  return parts.join(' ');
}
