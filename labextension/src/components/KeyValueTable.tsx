import React from 'react';

import { formatValue } from '../format';
import { JSONValue } from '../payloads';

/** Keys and their values, sorted by key; `empty` says so when there are none. */
export function KeyValueTable(props: {
  values: Record<string, JSONValue>;
  empty: string;
}): React.ReactElement {
  const keys = Object.keys(props.values).sort();
  if (!keys.length) {
    return <p className="jp-mlops-muted">{props.empty}</p>;
  }
  return (
    <table className="jp-mlops-kv-table">
      <tbody>
        {keys.map(key => (
          <tr key={key}>
            <th>{key}</th>
            <td>{formatValue(props.values[key])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
