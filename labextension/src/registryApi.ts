/**
 * The client of the lineage and model registry routes, over `MlopsApi` (same `path=`
 * rule and errors: an `ApiError` says what was wrong).
 */
import { MlopsApi } from './api';
import {
  IFileRef,
  ILineage,
  IModelDetail,
  IModelSummary,
  IModelVersion
} from './registryPayloads';

/**
 * Where a lineage starts: a run or a recorded file (its path as lineage nodes name it) in
 * the store of directory `path`, or a file as the file browser names it (relative to the
 * server root; its folder says which store).
 */
export type LineageOrigin =
  | { run: string; path: string }
  | { file: string; path: string }
  | { browserPath: string };

export class RegistryApi {
  constructor(readonly api: MlopsApi) {}

  async runFiles(id: string, path = ''): Promise<IFileRef[]> {
    const reply = await this.api.json<{ files: IFileRef[] }>(
      ['runs', id, 'files'],
      { path }
    );
    return reply.files;
  }

  /** The graph of runs, files and model versions around `origin`. */
  async lineage(origin: LineageOrigin): Promise<ILineage> {
    const query =
      'run' in origin
        ? { run: origin.run, path: origin.path }
        : 'file' in origin
          ? { file: origin.file, path: origin.path }
          : { path: origin.browserPath };
    return this.api.json<ILineage>(['lineage'], query);
  }

  async models(path = ''): Promise<IModelSummary[]> {
    const reply = await this.api.json<{ models: IModelSummary[] }>(['models'], {
      path
    });
    return reply.models;
  }

  async model(name: string, path = ''): Promise<IModelDetail> {
    return this.api.json<IModelDetail>(['models', name], { path });
  }

  /** Point `alias` at `version` (moved or created; recorded in the alias's history). */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    path = ''
  ): Promise<IModelVersion> {
    return this.api.json<IModelVersion>(
      ['models', name, 'aliases', alias],
      { path },
      { method: 'PUT', body: JSON.stringify({ version }) }
    );
  }

  async deleteAlias(name: string, alias: string, path = ''): Promise<void> {
    await this.api.request(
      ['models', name, 'aliases', alias],
      { path },
      { method: 'DELETE' }
    );
  }
}
