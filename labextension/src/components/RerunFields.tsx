import React, { useState } from 'react';

import { IRun } from '../payloads';

/** A text field per param a re-run starts from (`keys`, in the notebook's order), starting
 * from the typed texts in `initial`. */
export function RerunFields(props: {
  run: IRun;
  keys: string[];
  initial: Record<string, string>;
  onChange: (key: string, text: string) => void;
}): React.ReactElement {
  const [values, setValues] = useState(props.initial);
  const keys = props.keys;
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
