/**
 * Dialog body of "Re-run": one field per param of the run, pre-filled with its value.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import React, { useState } from 'react';

import { IRun, JSONValue } from '../api';
import { changedParams } from '../edits';
import { formatValue } from './format';

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

function RerunFields(props: {
  run: IRun;
  initial: Record<string, string>;
  onChange: (key: string, text: string) => void;
}): React.ReactElement {
  const [values, setValues] = useState(props.initial);
  const keys = Object.keys(props.run.params).sort();
  return (
    <div>
      <p>
        {`Runs ${props.run.notebook_path ?? 'the notebook'} again in the background with papermill; `}
        the new run appears in the list and updates as it runs.
      </p>
      {keys.length === 0 ? (
        <p className="jp-mlops-muted">
          This run has no params: it runs again as it was.
        </p>
      ) : (
        <table className="jp-mlops-kv-table">
          <tbody>
            {keys.map(key => (
              <tr key={key}>
                <th>
                  <label htmlFor={`jp-mlops-param-${key}`}>{key}</label>
                </th>
                <td>
                  <input
                    id={`jp-mlops-param-${key}`}
                    className="jp-mlops-param-input"
                    data-param={key}
                    value={values[key] ?? ''}
                    onChange={event => {
                      const text = event.target.value;
                      setValues({ ...values, [key]: text });
                      props.onChange(key, text);
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
