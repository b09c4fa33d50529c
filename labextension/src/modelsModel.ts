/**
 * State of the sidebar's Models section: the models of the store the sidebar shows, the
 * details (versions, aliases, alias history) of those opened, and the alias moves and
 * removals made from it. It follows the runs sidebar's directory.
 */
import { ApiError, asApiError, MlopsApi } from './api';
import { formatTime } from './format';
import { RegistryApi } from './registryApi';
import { IAliasMove, IModelDetail, IModelSummary } from './registryPayloads';
import { ViewModel } from './viewModel';

/** One line of an alias's history, in plain words. */
export function describeMove(move: IAliasMove): string {
  const change =
    move.from_version === null
      ? `set to v${move.to_version}`
      : move.to_version === null
        ? `removed (was v${move.from_version})`
        : `v${move.from_version} → v${move.to_version}`;
  const who = move.user ? `, by ${move.user}` : '';
  return `${move.alias}: ${change}${who}, ${formatTime(move.at)}`;
}

export interface IModelsState {
  /** Directory (relative to the server root) whose store is shown. */
  path: string;
  models: IModelSummary[];
  loaded: boolean;
  /** Listing the models failed. */
  error: ApiError | null;
  /** Names of the models whose versions are shown. */
  open: string[];
  details: Record<string, IModelDetail>;
  /** What went wrong with one model (loading it, moving or removing an alias), by name. */
  problems: Record<string, string>;
}

/** What is known of a store before its models are loaded. */
const EMPTY: Omit<IModelsState, 'path'> = {
  models: [],
  loaded: false,
  error: null,
  open: [],
  details: {},
  problems: {}
};

export class ModelsModel extends ViewModel<IModelsState> {
  constructor(api: MlopsApi) {
    super({ ...EMPTY, path: '' });
    this.registry = new RegistryApi(api);
  }

  readonly registry: RegistryApi;

  async setPath(path: string): Promise<void> {
    if (path === this.state.path && this._started) {
      return;
    }
    this._started = true;
    this.update({ ...EMPTY, path });
    await this.refresh();
  }

  /** The models again, and the details of those open. */
  async refresh(): Promise<void> {
    const { path } = this.state;
    const ticket = ++this._ticket;
    try {
      const models = await this.registry.models(path);
      if (this.isGone() || ticket !== this._ticket) {
        return;
      }
      const names = new Set(models.map(m => m.name));
      this.update({
        models,
        loaded: true,
        error: null,
        open: this.state.open.filter(name => names.has(name))
      });
    } catch (error) {
      if (!this.isGone() && ticket === this._ticket) {
        this.update({ error: asApiError(error), loaded: true });
      }
      return;
    }
    await Promise.all(this.state.open.map(name => this._load(name)));
  }

  async toggle(name: string): Promise<void> {
    if (this.state.open.includes(name)) {
      this.update({ open: this.state.open.filter(n => n !== name) });
      return;
    }
    this.update({ open: [...this.state.open, name] });
    await this._load(name);
  }

  /** Point `alias` of `name` at `version`; the model is shown as stored afterwards. */
  async moveAlias(
    name: string,
    alias: string,
    version: number
  ): Promise<boolean> {
    return this._change(name, `move ${alias} to v${version}`, () =>
      this.registry.setAlias(name, alias, version, this.state.path)
    );
  }

  async removeAlias(name: string, alias: string): Promise<boolean> {
    return this._change(name, `remove ${alias}`, () =>
      this.registry.deleteAlias(name, alias, this.state.path)
    );
  }

  private async _change(
    name: string,
    what: string,
    change: () => Promise<unknown>
  ): Promise<boolean> {
    let problem: string | null = null;
    try {
      await change();
    } catch (error) {
      problem = `Could not ${what}: ${asApiError(error).detail}`;
    }
    if (this.isGone()) {
      return false;
    }
    await this.refresh();
    // after the refresh, which clears a model's problem when it loads
    this._setProblem(name, problem);
    return problem === null;
  }

  private async _load(name: string): Promise<void> {
    const { path } = this.state;
    try {
      const detail = await this.registry.model(name, path);
      if (this.isGone() || path !== this.state.path) {
        return;
      }
      this.update({ details: { ...this.state.details, [name]: detail } });
      this._setProblem(name, null);
    } catch (error) {
      if (!this.isGone() && path === this.state.path) {
        this._setProblem(name, asApiError(error).detail);
      }
    }
  }

  private _setProblem(name: string, problem: string | null): void {
    const problems = { ...this.state.problems };
    if (problem === null) {
      if (!(name in problems)) {
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete problems[name];
    } else {
      problems[name] = problem;
    }
    this.update({ problems });
  }

  private _ticket = 0;
  private _started = false;
}
