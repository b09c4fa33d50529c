/**
 * Dialog body of "Re-run": the new run's name and one field per param a re-run starts from
 * (`GET runs/{id}/rerun`, the same defaults the widgets' form offers), pre-filled with its
 * value. The suggested name comes from the server, so every face names re-runs alike.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import React from 'react';

import { IRerunInput, RerunFields } from '../components/RerunFields';
import { changedParams } from '../edits';
import { IRerunStart, IRun, JSONValue } from '../payloads';

/** What the dialog gives back: the changed params and, when the user typed one, a name. */
export interface IRerunRequest {
  params: Record<string, JSONValue>;
  /** undefined: the server names the run from its changes. */
  name?: string;
}

/** A param's value as its field starts: text as is, anything else as exact JSON. */
export function paramText(value: JSONValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class RerunForm extends ReactWidget {
  constructor(
    run: IRun,
    start: IRerunStart,
    suggest: (changes: Record<string, JSONValue>) => Promise<string>
  ) {
    super();
    this._run = run;
    this._start = start;
    this._suggest = suggest;
    this.addClass('jp-mlops-rerun-form');
    const texts: Record<string, string> = {};
    for (const param of start.params) {
      this._defaults[param.name] = param.value;
      texts[param.name] = paramText(param.value);
    }
    this._input = {
      name: start.suggested_name ?? start.name,
      nameEdited: false,
      texts
    };
  }

  getValue(): IRerunRequest {
    const params = changedParams(this._defaults, this._input.texts);
    const name = this._input.name.trim();
    return this._input.nameEdited && name ? { params, name } : { params };
  }

  protected render(): React.ReactElement {
    return (
      <RerunFields
        run={this._run}
        start={this._start}
        initial={this._input}
        suggest={this._suggest}
        onChange={input => {
          this._input = input;
        }}
      />
    );
  }

  private readonly _run: IRun;
  private readonly _start: IRerunStart;
  private readonly _suggest: (
    changes: Record<string, JSONValue>
  ) => Promise<string>;
  private readonly _defaults: Record<string, JSONValue> = {};
  private _input: IRerunInput;
}
