/**
 * When the runs table reads the view it remembers for a folder's experiment (columns, sort
 * and filter) and when it saves one: reads that answer late are dropped, pages and the user's
 * changes wait for the read under way, and a change asked for one view is never saved under
 * another's key.
 */
import { ISavedView, IViewMemory } from './viewMemory';

/** What the keeper needs of the table it keeps the view of. */
export interface IViewHost {
  /** The key of the view that belongs on screen now (its folder and experiment). */
  key(): string;
  /** The view on screen, as it is remembered. */
  current(): ISavedView;
  /** Put a view read back on screen (null: none was saved, the defaults). */
  show(view: ISavedView | null): void;
  /** Whether the table is gone: answers that come later are dropped. */
  gone(): boolean;
}

export class ViewKeeper {
  constructor(
    private readonly _host: IViewHost,
    private readonly _memory: IViewMemory | null
  ) {}

  /** Whether the view on screen is the one that belongs there (read, or chosen since). */
  get shown(): boolean {
    return this._read === null && this._key === this._host.key();
  }

  /** Resolves once the view on screen is the one that belongs there. */
  ready(): Promise<void> {
    if (this._key !== this._host.key()) {
      return this.recall();
    }
    return this._read ?? Promise.resolve();
  }

  /**
   * Bring back the view last used for the key that belongs on screen. An answer that comes
   * after the key changed again is dropped: it would put another experiment's view on
   * screen. Pages and the user's changes wait for the read under way, so neither the
   * defaults nor the last experiment's view is asked for or saved under this one.
   */
  recall(): Promise<void> {
    const key = this._host.key();
    const ticket = ++this._ticket;
    this._key = key;
    const read = this._show(key, ticket);
    this._read = read;
    void read.then(() => {
      if (this._read === read) {
        this._read = null;
      }
    });
    return read;
  }

  /**
   * Change the view on screen (filter, sort or columns) and remember it: at once when it is
   * the one that belongs there, else once its read is done. A change asked for one view is
   * dropped when another belongs on screen by then (the experiment or folder changed
   * meanwhile): it would be saved under the other's key, and overwrite what that one
   * remembers. Resolves to whether the change was made.
   */
  change(change: () => void): Promise<boolean> {
    const apply = (): boolean => {
      change();
      void this._memory?.remember(this._host.key(), this._host.current());
      return true;
    };
    if (this.shown) {
      return Promise.resolve(apply());
    }
    const key = this._host.key();
    return this.ready().then(() =>
      this._host.gone() || key !== this._host.key() ? false : apply()
    );
  }

  private async _show(key: string, ticket: number): Promise<void> {
    const saved = this._memory
      ? await this._memory.recall(key).catch(() => null)
      : null;
    if (ticket === this._ticket && !this._host.gone()) {
      this._host.show(saved);
    }
  }

  /** Counts reads: a read answered after a later one is dropped. */
  private _ticket = 0;
  /** The key last read or chosen; null before the first. */
  private _key: string | null = null;
  /** The read under way, if any. */
  private _read: Promise<void> | null = null;
}
