/**
 * State of one lineage view: where the graph starts (a run, a recorded file, or a file
 * the file browser named), the graph as the server answered it, and the places visited
 * before (re-centring on a file pushes one; "Back" returns to it).
 */
import { PathExt } from '@jupyterlab/coreutils';

import { ApiError, asApiError } from './api';
import { LineageOrigin, RegistryApi } from './registryApi';
import { ILineage } from './registryPayloads';
import { ViewModel } from './viewModel';

export interface ILineageState {
  origin: LineageOrigin;
  /** A node to mark (a model version opened from the Models section). */
  focus: string | null;
  graph: ILineage | null;
  error: ApiError | null;
  loading: boolean;
  /** Where the view was before each re-centring, oldest first. */
  back: LineageOrigin[];
}

/** The directory whose store a lineage reads (runs open from it). */
export function directoryOf(origin: LineageOrigin): string {
  if ('browserPath' in origin) {
    const dir = PathExt.dirname(origin.browserPath);
    return dir === '.' ? '' : dir;
  }
  return origin.path;
}

/** What a lineage is of, in words: "run 1a2b3c" or "data/raw.csv". */
export function originLabel(origin: LineageOrigin): string {
  if ('run' in origin) {
    return `run ${origin.run}`;
  }
  return 'file' in origin ? origin.file : origin.browserPath;
}

export class LineageModel extends ViewModel<ILineageState> {
  constructor(
    readonly registry: RegistryApi,
    origin: LineageOrigin,
    focus: string | null = null
  ) {
    super({
      origin,
      focus,
      graph: null,
      error: null,
      loading: false,
      back: []
    });
  }

  get path(): string {
    return directoryOf(this.state.origin);
  }

  async refresh(): Promise<void> {
    const origin = this.state.origin;
    const ticket = ++this._ticket;
    this.update({ loading: true });
    try {
      const graph = await this.registry.lineage(origin);
      if (!this.isGone() && ticket === this._ticket) {
        this.update({ graph, error: null, loading: false });
      }
    } catch (error) {
      if (!this.isGone() && ticket === this._ticket) {
        this.update({ graph: null, error: asApiError(error), loading: false });
      }
    }
  }

  /** Start the graph from a file as the records name it (a file node's path). */
  async recentre(file: string): Promise<void> {
    const origin: LineageOrigin = { file, path: this.path };
    this.update({
      back: [...this.state.back, this.state.origin],
      origin,
      focus: null,
      graph: null
    });
    await this.refresh();
  }

  async goBack(): Promise<void> {
    const back = [...this.state.back];
    const origin = back.pop();
    if (!origin) {
      return;
    }
    this.update({ back, origin, focus: null, graph: null });
    await this.refresh();
  }

  private _ticket = 0;
}
