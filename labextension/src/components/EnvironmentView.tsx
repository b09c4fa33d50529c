import React from 'react';

import { IEnvironment } from '../payloads';

function packageList(packages: IEnvironment['packages']): string[] {
  if (!packages) {
    return [];
  }
  if (Array.isArray(packages)) {
    return packages.map(String);
  }
  return Object.entries(packages).map(
    ([name, version]) => `${name}==${version}`
  );
}

/** Where the run ran: Python, platform, host, git commit and installed packages. */
export function EnvironmentView(props: {
  env: IEnvironment;
}): React.ReactElement {
  const { env } = props;
  const packages = packageList(env.packages).sort();
  const git = env.git;
  return (
    <dl className="jp-mlops-facts jp-mlops-env">
      <dt>Python</dt>
      <dd>{env.python ?? '–'}</dd>
      <dt>Platform</dt>
      <dd>{env.platform ?? '–'}</dd>
      <dt>Host</dt>
      <dd>{env.host ?? '–'}</dd>
      <dt>Git</dt>
      <dd>
        {git?.commit ? (
          <>
            <code>{git.commit.slice(0, 12)}</code>
            {git.branch && ` on ${git.branch}`}
            {git.dirty && (
              <span
                className="jp-mlops-badge jp-mlops-badge-warn"
                title="There were uncommitted changes"
              >
                dirty
              </span>
            )}
          </>
        ) : (
          'not in a git work tree'
        )}
      </dd>
      <dt>Packages</dt>
      <dd>
        {packages.length ? (
          <details>
            <summary>{`${packages.length} installed`}</summary>
            <pre className="jp-mlops-packages">{packages.join('\n')}</pre>
          </details>
        ) : (
          '–'
        )}
      </dd>
    </dl>
  );
}
