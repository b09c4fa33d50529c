/**
 * The main-area tab of one run's detail. Closing it (or the browser tab) while the note
 * has unsaved changes asks first.
 */
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';

import { RunDetailWidget } from './RunDetail';

export class RunDetailPanel extends MainAreaWidget<RunDetailWidget> {
  constructor(content: RunDetailWidget) {
    super({ content });
    window.addEventListener('beforeunload', this._beforeUnload);
  }

  override dispose(): void {
    window.removeEventListener('beforeunload', this._beforeUnload);
    super.dispose();
  }

  protected override onCloseRequest(msg: Message): void {
    if (!this.content.model.state.noteUnsaved || this._asking) {
      super.onCloseRequest(msg);
      return;
    }
    this._asking = true;
    const run = this.content.model.state.run;
    void showDialog({
      title: 'Discard the unsaved note?',
      body: `The note of ${run ? run.name : this.content.model.state.runId} was changed and not saved.`,
      buttons: [
        Dialog.cancelButton({ label: 'Keep editing' }),
        Dialog.warnButton({ label: 'Discard' })
      ],
      defaultButton: 0
    }).then(result => {
      this._asking = false;
      if (result.button.accept) {
        this.content.model.setNoteUnsaved(false);
        super.onCloseRequest(msg);
      }
    });
  }

  private readonly _beforeUnload = (event: BeforeUnloadEvent): void => {
    if (this.content.model.state.noteUnsaved) {
      event.preventDefault();
    }
  };

  private _asking = false;
}
