import React, { useState } from 'react';

import { asApiError } from '../api';
import { formatBytes } from '../format';
import { IArtifact } from '../payloads';

/** Save a blob as a file through the browser's download. */
function saveAs(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name.split('/').pop() ?? name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10000);
}

/** The run's artifacts with their sizes, each downloadable. */
export function ArtifactsList(props: {
  artifacts: IArtifact[];
  /** The content of an artifact, by name. */
  fetch: (name: string) => Promise<Blob>;
}): React.ReactElement {
  const [problem, setProblem] = useState<string | null>(null);
  if (!props.artifacts.length) {
    return <p className="jp-mlops-muted">no artifacts</p>;
  }
  const download = async (artifact: IArtifact): Promise<void> => {
    try {
      saveAs(await props.fetch(artifact.name), artifact.name);
      setProblem(null);
    } catch (e) {
      setProblem(asApiError(e).detail);
    }
  };
  return (
    <>
      <table className="jp-mlops-kv-table jp-mlops-artifacts">
        <tbody>
          {props.artifacts.map(artifact => (
            <tr key={artifact.name} data-artifact={artifact.name}>
              <th>{artifact.name}</th>
              <td>{formatBytes(artifact.size)}</td>
              <td>
                <button
                  className="jp-mlops-button jp-mlops-download"
                  onClick={() => void download(artifact)}
                >
                  Download
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem && <div className="jp-mlops-error-text">{problem}</div>}
    </>
  );
}
