import React, { useEffect, useRef, useState } from 'react';

import { asApiError, ApiError, MlopsApi } from '../api';
import { IReproduction } from '../payloads';
import { ErrorBox } from './ErrorBox';

/** Milliseconds between looks at a running reproduction. */
const POLL_MS = 1000;

/**
 * "Check reproducibility": executes the run's stored notebook again in the background
 * (`POST runs/{id}/reproduce`), shows that it runs, then the verdict with the metrics that
 * differ and the likely causes; on opening, the newest verdict (or a running one).
 */
export function ReproduceButton(props: {
  api: MlopsApi;
  runId: string;
  path: string;
  runStatus: string;
  hasSnapshot: boolean;
  /** Called once a reproduction started here or seen running has its verdict. */
  onVerdict?: () => void;
}): React.ReactElement {
  const { api, runId, path, runStatus, hasSnapshot, onVerdict } = props;
  const [reproduction, setReproduction] = useState<IReproduction | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const [round, setRound] = useState(0);
  const sawRunning = useRef(false);
  const verdictSeen = useRef(onVerdict);
  verdictSeen.current = onVerdict;

  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const look = async (): Promise<void> => {
      try {
        const reply = await api.reproduction(runId, path);
        if (!alive) {
          return;
        }
        setReproduction(reply);
        setError(null);
        if (reply.verdict === 'running') {
          sawRunning.current = true;
          timer = window.setTimeout(() => void look(), POLL_MS);
        } else if (sawRunning.current) {
          sawRunning.current = false;
          verdictSeen.current?.();
        }
      } catch (reason) {
        if (alive) {
          setError(asApiError(reason));
        }
      }
    };
    void look();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [api, runId, path, round]);

  const running = reproduction?.verdict === 'running';
  const why = !hasSnapshot
    ? 'This run has no notebook snapshot to execute again'
    : runStatus === 'running'
      ? 'The run is still running: check it once it has ended'
      : running
        ? 'A reproduction of this run is running'
        : "Execute the run's stored notebook again in a fresh kernel with its own params, and compare every metric";
  const start = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    try {
      setReproduction(await api.reproduce(runId, path));
      sawRunning.current = true;
      setRound(value => value + 1);
    } catch (reason) {
      setError(asApiError(reason));
    } finally {
      setStarting(false);
    }
  };
  return (
    <div
      className="jp-mlops-reproduce"
      data-verdict={reproduction?.verdict ?? ''}
    >
      <button
        className="jp-mlops-button jp-mlops-reproduce-button"
        disabled={
          !hasSnapshot || runStatus === 'running' || running || starting
        }
        title={why}
        onClick={() => void start()}
      >
        Check reproducibility
      </button>
      {(running || starting) && (
        <p className="jp-mlops-reproduce-progress" role="status">
          Reproducing: executing the stored notebook
          {reproduction?.reproduction_id && (
            <>
              {' '}
              as run <code>{reproduction.reproduction_id}</code>
            </>
          )}
          …
        </p>
      )}
      {reproduction && !running && reproduction.verdict && (
        <Verdict reproduction={reproduction} />
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}

function Verdict(props: { reproduction: IReproduction }): React.ReactElement {
  const r = props.reproduction;
  const compared = r.compared ?? [];
  const differences = r.differences ?? [];
  const causes = r.likely_causes ?? [];
  let summary: string;
  if (r.verdict === 'reproduced') {
    summary = compared.length
      ? `Reproduced: every metric matched within ${r.tolerance} (${compared.length} compared).`
      : 'Reproduced: it ran to the end (the run logged no metrics to compare).';
  } else if (r.verdict === 'failed') {
    summary = `The reproduction failed: ${r.error ?? 'it did not finish'}`;
  } else {
    summary = `Differs: ${differences.length} of ${compared.length} metrics outside the tolerance ${r.tolerance}.`;
  }
  return (
    <div
      className={`jp-mlops-reproduce-verdict jp-mlops-reproduce-${r.verdict}`}
    >
      <p>
        {summary}
        {r.reproduction_id && (
          <>
            {' '}
            Reproduction <code>{r.reproduction_id}</code>.
          </>
        )}
      </p>
      {differences.length > 0 && (
        <ul className="jp-mlops-reproduce-differences">
          {differences.map(d => (
            <li key={d.key}>
              <code>{d.key}</code> {d.detail}
            </li>
          ))}
        </ul>
      )}
      {causes.length > 0 && r.verdict !== 'reproduced' && (
        <>
          <p>
            Likely causes, from the execution record of the interactive session:
          </p>
          <ul className="jp-mlops-reproduce-causes">
            {causes.slice(0, 20).map((c, index) => (
              <li key={index}>
                <code>
                  [{c.execution_count ?? '-'}]{' '}
                  {(c.source.trim().split('\n')[0] ?? '').slice(0, 80)}
                </code>{' '}
                {c.description}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
