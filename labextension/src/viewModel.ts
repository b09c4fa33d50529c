/**
 * What the views' models share: a state replaced (never mutated) on each change with a
 * signal saying so, disposal, and, for models of live data, a refresh loop that runs only
 * while the view is on screen and there is something running to follow.
 */
import { IDisposable } from '@lumino/disposable';
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

export abstract class PollingModel<S> extends ViewModel<S> {
  /** `pollInterval`: milliseconds between refreshes while `shouldPoll()`. */
  constructor(state: S, pollInterval: number) {
    super(state);
    this._pollInterval = pollInterval;
  }

  /** Whether a refresh is scheduled (something is running and the view is visible). */
  get isPolling(): boolean {
    return this._timer !== null;
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

  /** Whether the state may change by itself on the server (a run is running). */
  protected abstract shouldPoll(): boolean;

  /** The view came on screen: by default it is brought up to date at once. */
  protected onShown(): void {
    void this.refresh();
  }

  /** Refresh again after the interval, if the view is visible and `shouldPoll()`. */
  protected schedule(): void {
    this.cancelPoll();
    if (this.isDisposed || !this._visible || !this.shouldPoll()) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, this._pollInterval);
  }

  protected cancelPoll(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  protected override onDispose(): void {
    this.cancelPoll();
  }

  private _visible = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private readonly _pollInterval: number;
}
