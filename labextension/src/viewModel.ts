/**
 * What the views' models share: a state replaced (never mutated) on each change with a
 * signal saying so, disposal, and, for models of live data, a refresh loop that runs only
 * while the view is on screen.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

export abstract class ViewModel<S> implements IDisposable {
  constructor(state: S) {
    this._state = state;
  }

  get state(): Readonly<S> {
    return this._state;
  }

  /** Emitted whenever `state` changed. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Whether the model was disposed while an answer was awaited (a method: a check of
   * `isDisposed` after an `await` would be narrowed away by the type checker).
   */
  protected isGone(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.onDispose();
    Signal.clearData(this);
  }

  /** Called once, when the model is disposed. */
  protected onDispose(): void {
    // nothing to let go of by default
  }

  protected update(changes: Partial<S>): void {
    this._state = { ...this._state, ...changes };
    this._stateChanged.emit();
  }

  private _state: S;
  private _disposed = false;
  private _stateChanged = new Signal<this, void>(this);
}

export namespace PollingModel {
  export interface IFrequency {
    /** Milliseconds between refreshes. */
    interval: number;
    /** Longest wait between retries after failed refreshes (they back off up to it). */
    max?: number;
  }
}

/**
 * A model of live data: while its view is visible (and the browser tab is not hidden) and
 * `shouldPoll()`, a `Poll` refreshes it every `interval`; a failed refresh is retried less
 * and less often, up to `max`, until one succeeds.
 */
export abstract class PollingModel<
  S extends { readonly error: unknown }
> extends ViewModel<S> {
  constructor(state: S, frequency: number | PollingModel.IFrequency) {
    super(state);
    const { interval, max } =
      typeof frequency === 'number' ? { interval: frequency } : frequency;
    this._interval = interval;
    this._max = max ?? 30_000;
  }

  /** Whether refreshes are scheduled (the view is visible and `shouldPoll()`). */
  get isPolling(): boolean {
    return this._poll !== null;
  }

  get visible(): boolean {
    return this._visible;
  }

  /** The view was shown or hidden: refreshing pauses while hidden. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (!visible) {
      this.cancelPoll();
    } else {
      this.onShown();
    }
  }

  /** Load the state from the server; implementations call `schedule()` when done. */
  abstract refresh(): Promise<void>;

  /** Whether the state may change by itself on the server. */
  protected abstract shouldPoll(): boolean;

  /** One refresh of the poll (by default `refresh()`); a rejection backs the poll off. */
  protected async poll(): Promise<void> {
    await this.refresh();
  }

  /** The view came on screen: by default it is brought up to date at once. */
  protected onShown(): void {
    void this.refresh();
  }

  /** Keep polling while the view is visible and `shouldPoll()`; stop otherwise. */
  protected schedule(): void {
    if (this.isDisposed || !this._visible || !this.shouldPoll()) {
      this.cancelPoll();
      return;
    }
    if (this._poll) {
      return;
    }
    const poll = new Poll({
      auto: false,
      name: 'jupyter-mlops',
      factory: async () => {
        await this.poll();
        if (this.state.error) {
          throw new Error('the refresh failed: the poll backs off');
        }
      },
      frequency: { interval: this._interval, backoff: true, max: this._max },
      standby: 'when-hidden'
    });
    this._poll = poll;
    void poll.schedule({ interval: this._interval, phase: 'started' });
  }

  protected cancelPoll(): void {
    const poll = this._poll;
    this._poll = null;
    poll?.dispose();
  }

  protected override onDispose(): void {
    this.cancelPoll();
  }

  private _visible = false;
  private _poll: Poll | null = null;
  private readonly _interval: number;
  private readonly _max: number;
}
