/**
 * Dialog body of "Re-run": one field per param a re-run starts from (`GET runs/{id}/rerun`, the
 * same defaults the widgets' form offers), pre-filled with its value.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import React from 'react';

import { RerunFields } from '../components/RerunFields';
import { changedParams } from '../edits';
import { formatValue } from '../format';
import { IRerunStart, IRun, JSONValue } from '../payloads';

export class RerunForm extends ReactWidget {
  constructor(run: IRun, start: IRerunStart) {
    super();
    this._run = run;
    this.addClass('jp-mlops-rerun-form');
    for (const param of start.params) {
      this._defaults[param.name] = param.value;
      this._typed[param.name] = formatValue(param.value);
    }
  }

  /** The params to change (empty: re-run with the same params). */
  getValue(): Record<string, JSONValue> {
    return changedParams(this._defaults, this._typed);
  }

  protected render(): React.ReactElement {
    return (
      <RerunFields
        run={this._run}
        keys={Object.keys(this._defaults)}
        initial={this._typed}
        onChange={(key, text) => {
          this._typed[key] = text;
        }}
      />
    );
  }

  private readonly _run: IRun;
  private readonly _defaults: Record<string, JSONValue> = {};
  private readonly _typed: Record<string, string> = {};
}
