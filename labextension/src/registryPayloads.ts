/**
 * The JSON payloads of the lineage and model registry routes (`GET runs/{id}/files`,
 * `GET lineage`, `GET models`, `GET models/{name}`). Shapes only; no behaviour.
 */
import { JSONValue } from './payloads';

/** One file a run read (`input`) or wrote (`output`). */
export interface IFileRef {
  /** Relative to the project root (the store folder's parent) when inside it, else absolute. */
  path: string;
  role: 'input' | 'output';
  /** `sha256:<hex>`. */
  digest: string;
  size: number | null;
  modified_at: number | null;
  name: string | null;
  context: string | null;
  /** A DataFrame's rows and columns, when it was logged as one. */
  details: Record<string, JSONValue>;
}

export type LineageNodeKind = 'run' | 'file' | 'model';
export type LineageEdgeKind = 'read' | 'wrote' | 'registered';

export interface ILineageNode {
  /** `run:<id>`, `file:<path>@<digest>` or `model:<name>/<version>`. */
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** A run's. */
  run_id?: string;
  status?: string;
  experiment?: string;
  user?: string | null;
  /** A file's. */
  path?: string;
  digest?: string;
  size?: number | null;
  /** A model version's. */
  name?: string;
  version?: number;
  aliases?: string[];
}

export interface ILineageEdge {
  source: string;
  target: string;
  kind: LineageEdgeKind;
}

export interface ILineage {
  /** The nodes the walk began from. */
  start: string[];
  nodes: ILineageNode[];
  edges: ILineageEdge[];
  /** The server stopped the walk at its bound (2000 nodes). */
  truncated: boolean;
}

/** A row of `GET models`. */
export interface IModelSummary {
  name: string;
  latest_version: number | null;
  aliases: Record<string, number>;
  created_at: number;
  user: string | null;
}

export interface IModelVersion {
  name: string;
  version: number;
  run_id: string | null;
  artifact: string;
  kind: string;
  digest: string;
  size: number;
  created_at: number;
  user: string | null;
  aliases: string[];
  tags: Record<string, string>;
  uri: string;
  /** The run that produced it; null when that run was deleted. */
  run: { id: string; name: string; status: string; experiment: string } | null;
}

/** One move of an alias: `from_version` null when created, `to_version` null when removed. */
export interface IAliasMove {
  alias: string;
  from_version: number | null;
  to_version: number | null;
  at: number;
  user: string | null;
}

/** `GET models/{name}`: versions newest first, aliases, and their last moves (oldest first). */
export interface IModelDetail {
  name: string;
  created_at: number;
  user: string | null;
  latest_version: number | null;
  aliases: Record<string, number>;
  versions: IModelVersion[];
  alias_history: IAliasMove[];
  total_versions: number;
  limit: number;
  offset: number;
}
