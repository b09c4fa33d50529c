import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';

/** A model that refreshes itself only while its view is on screen. */
export interface IVisibilityAware {
  setVisible(visible: boolean): void;
}

/**
 * A React view that tells its model whenever it comes on screen or leaves it (shown,
 * hidden, attached, detached), so the model polls the server only while it is seen.
 */
export abstract class ShownWidget extends ReactWidget {
  constructor(private readonly _watcher: IVisibilityAware) {
    super();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._watcher.setVisible(true);
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._watcher.setVisible(false);
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._watcher.setVisible(this.isVisible);
  }

  protected override onBeforeDetach(msg: Message): void {
    this._watcher.setVisible(false);
    super.onBeforeDetach(msg);
  }
}
