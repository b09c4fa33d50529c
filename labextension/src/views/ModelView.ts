import { ReactWidget } from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';

/** A view's model; one that follows live data refreshes only while its view is seen. */
export interface IViewModel extends IDisposable {
  setVisible?(visible: boolean): void;
}

export namespace ModelView {
  export interface IOptions {
    /** Whether the view disposes its model with itself (the sidebar's model outlives it). */
    ownsModel: boolean;
  }
}

/**
 * A React view of one model. It tells the model whenever it comes on screen or leaves it
 * (shown, hidden, attached, detached), so the model polls the server only while it is
 * seen, and disposes the model with itself when it owns it.
 */
export abstract class ModelView<M extends IViewModel> extends ReactWidget {
  constructor(
    readonly model: M,
    options: ModelView.IOptions
  ) {
    super();
    this._ownsModel = options.ownsModel;
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    if (this._ownsModel) {
      this.model.dispose();
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible?.(true);
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible?.(false);
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible?.(this.isVisible);
  }

  protected override onBeforeDetach(msg: Message): void {
    this.model.setVisible?.(false);
    super.onBeforeDetach(msg);
  }

  private readonly _ownsModel: boolean;
}
