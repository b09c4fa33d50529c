/**
 * Dialog body of "Re-run": one field per param of the run, pre-filled with its value.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import React from 'react';

import { RerunFields } from '../components/RerunFields';
import { changedParams } from '../edits';
import { formatValue } from '../format';
import { IRun, JSONValue } from '../payloads';

export class RerunForm extends ReactWidget {
  constructor(run: IRun) {
    super();
    this._run = run;
    this.addClass('jp-mlops-rerun-form');
    for (const [key, value] of Object.entries(run.params)) {
      this._typed[key] = formatValue(value);
    }
  }

  /** The params to change (empty: re-run with the same params). */
  getValue(): Record<string, JSONValue> {
    return changedParams(this._run.params, this._typed);
  }

  protected render(): React.ReactElement {
    return (
      <RerunFields
        run={this._run}
        initial={this._typed}
        onChange={(key, text) => {
          this._typed[key] = text;
        }}
      />
    );
  }

  private readonly _run: IRun;
  private readonly _typed: Record<string, string> = {};
}
