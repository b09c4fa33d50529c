import { describe, expect, it } from 'vitest';

import {
  fileNodeId,
  producersOf,
  shortDigest
} from '../src/components/DataSection';
import {
  boundNotice,
  layoutLineage,
  MAX_DRAWN_NODES,
  nearest
} from '../src/lineageLayout';
import { describeMove } from '../src/modelsModel';
import { ILineage, ILineageNode } from '../src/registryPayloads';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function run(id: string): ILineageNode {
  return {
    id: `run:${id}`,
    kind: 'run',
    label: id,
    run_id: id,
    status: 'finished'
  };
}

function file(path: string, digest = DIGEST): ILineageNode {
  return {
    id: `file:${path}@${digest}`,
    kind: 'file',
    label: path,
    path,
    digest,
    size: 10
  };
}

/** data -> prepare -> clean -> train -> model v1. */
const small: ILineage = {
  start: ['run:train'],
  nodes: [
    file('raw.csv'),
    run('prepare'),
    file('clean.csv'),
    run('train'),
    {
      id: 'model:m/1',
      kind: 'model',
      label: 'm v1 @prod',
      name: 'm',
      version: 1,
      aliases: ['prod']
    }
  ],
  edges: [
    { source: `file:raw.csv@${DIGEST}`, target: 'run:prepare', kind: 'read' },
    {
      source: 'run:prepare',
      target: `file:clean.csv@${DIGEST}`,
      kind: 'wrote'
    },
    { source: `file:clean.csv@${DIGEST}`, target: 'run:train', kind: 'read' },
    { source: 'run:train', target: 'model:m/1', kind: 'registered' }
  ],
  truncated: false
};

/** A chain of `n` runs, each reading what the one before wrote, starting in the middle. */
function chain(n: number): ILineage {
  const nodes: ILineageNode[] = [];
  const edges: ILineage['edges'] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(run(`r${i}`), file(`f${i}`));
    edges.push({
      source: `run:r${i}`,
      target: `file:f${i}@${DIGEST}`,
      kind: 'wrote'
    });
    if (i > 0) {
      edges.push({
        source: `file:f${i - 1}@${DIGEST}`,
        target: `run:r${i}`,
        kind: 'read'
      });
    }
  }
  return {
    start: [`run:r${Math.floor(n / 2)}`],
    nodes,
    edges,
    truncated: true
  };
}

describe('lineage layout', () => {
  it('lays the graph out left to right without overlaps', () => {
    const layout = layoutLineage(small);
    const x = (id: string): number =>
      layout.nodes.find(n => n.node.id === id)!.x;
    const order = [
      `file:raw.csv@${DIGEST}`,
      'run:prepare',
      `file:clean.csv@${DIGEST}`,
      'run:train',
      'model:m/1'
    ];
    const xs = order.map(x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
    expect(layout.edges.every(e => e.points.length >= 2)).toBe(true);
    expect(layout.nodes.find(n => n.start)?.node.id).toBe('run:train');
    expect(layout.width).toBeGreaterThan(0);
    expect(layout.nodes.find(n => n.node.kind === 'model')?.subtitle).toBe(
      'model · @prod'
    );
  });

  it('draws a big graph around where it starts, and says so', () => {
    const graph = chain(1000);
    const kept = nearest(graph, 50);
    expect(kept.size).toBe(50);
    expect(kept.has('run:r500')).toBe(true);
    expect(kept.has('run:r0')).toBe(false);
    const layout = layoutLineage(graph);
    expect(layout.nodes.length).toBe(MAX_DRAWN_NODES);
    expect(layout.total).toBe(2000);
    const notice = boundNotice(graph, layout.nodes.length);
    expect(notice).toContain(`Showing the ${MAX_DRAWN_NODES} nodes nearest`);
    expect(notice).toContain('of 2000 found');
    expect(notice).toContain('The server stopped the walk');
    expect(boundNotice(small, small.nodes.length)).toBeNull();
  });

  it("finds the runs that wrote a run's inputs", () => {
    const producers = producersOf(small, 'train');
    expect(producers.get(`file:clean.csv@${DIGEST}`)).toEqual([
      { id: 'prepare', name: 'prepare' }
    ]);
    expect(producers.has(`file:raw.csv@${DIGEST}`)).toBe(false);
    expect(fileNodeId({ path: 'clean.csv', digest: DIGEST } as never)).toBe(
      `file:clean.csv@${DIGEST}`
    );
    expect(shortDigest(DIGEST)).toBe('sha256:abababababab');
  });
});

describe('alias history', () => {
  it('says each move in plain words', () => {
    const at = new Date(2026, 11, 1, 10, 0, 0).getTime() / 1000;
    expect(
      describeMove({
        alias: 'production',
        from_version: 2,
        to_version: 3,
        at,
        user: 'ana'
      })
    ).toBe('production: v2 → v3, by ana, 2026-12-01 10:00:00');
    expect(
      describeMove({
        alias: 'staging',
        from_version: null,
        to_version: 1,
        at,
        user: null
      })
    ).toBe('staging: set to v1, 2026-12-01 10:00:00');
    expect(
      describeMove({
        alias: 'staging',
        from_version: 1,
        to_version: null,
        at,
        user: 'bo'
      })
    ).toBe('staging: removed (was v1), by bo, 2026-12-01 10:00:00');
  });
});
