import React, { useEffect, useRef, useState } from 'react';

import { changedParams } from '../edits';
import { formatValue } from '../format';
import { IRerunStart, IRun, JSONValue } from '../payloads';

type IRerunParam = IRerunStart['params'][number];

/** What the form holds: the name field and each param's typed text. */
export interface IRerunInput {
  name: string;
  /** The user typed the name (it no longer follows the suggestion). */
  nameEdited: boolean;
  texts: Record<string, string>;
}

const SUGGEST_DELAY_MS = 250;

function choiceText(choice: JSONValue): string {
  return typeof choice === 'string' ? choice : JSON.stringify(choice);
}
const OTHER = '\u0000other';

function isNumberKind(param: IRerunParam): boolean {
  return (
    param.kind === 'int' ||
    param.kind === 'float' ||
    (param.kind === null && typeof param.value === 'number')
  );
}

function isBoolKind(param: IRerunParam): boolean {
  return (
    param.kind === 'bool' ||
    (param.kind === null && typeof param.value === 'boolean')
  );
}

/** One param's input, fitting its type: a checkbox, a number box, a list to pick from, text. */
function ParamInput(props: {
  param: IRerunParam;
  text: string;
  onChange: (text: string) => void;
}): React.ReactElement {
  const { param, text, onChange } = props;
  const id = `jp-mlops-param-${param.name}`;
  const [other, setOther] = useState(false);
  if (isBoolKind(param)) {
    return (
      <input
        id={id}
        type="checkbox"
        className="jp-mlops-param-input"
        data-param={param.name}
        checked={text === 'true'}
        onChange={event => {
          onChange(event.target.checked ? 'true' : 'false');
        }}
      />
    );
  }
  const choices = param.choices ?? [];
  if (choices.length && !other && choices.some(c => choiceText(c) === text)) {
    return (
      <select
        id={id}
        className="jp-mlops-param-input"
        data-param={param.name}
        value={text}
        onChange={event => {
          if (event.target.value === OTHER) {
            setOther(true);
          } else {
            onChange(event.target.value);
          }
        }}
      >
        {choices.map(choice => (
          <option key={choiceText(choice)} value={choiceText(choice)}>
            {choiceText(choice)}
          </option>
        ))}
        <option value={OTHER}>other value…</option>
      </select>
    );
  }
  const number = isNumberKind(param);
  return (
    <input
      id={id}
      type={number ? 'number' : 'text'}
      step={number ? (param.kind === 'int' ? 1 : 'any') : undefined}
      className="jp-mlops-param-input"
      data-param={param.name}
      value={text}
      onChange={event => {
        onChange(event.target.value);
      }}
    />
  );
}

/**
 * The re-run form: the new run's name (suggested from the changed values by the server, the
 * rule the CLI and the widgets use, until the user types one), then one input per param a
 * re-run starts from, in the notebook's order; a changed field is marked and says what it was.
 */
export function RerunFields(props: {
  run: IRun;
  start: IRerunStart;
  initial: IRerunInput;
  onChange: (input: IRerunInput) => void;
  suggest: (changes: Record<string, JSONValue>) => Promise<string>;
}): React.ReactElement {
  const { run, start } = props;
  const [input, setInput] = useState(props.initial);
  const defaults = Object.fromEntries(
    start.params.map(p => [p.name, p.value] as [string, JSONValue])
  );
  const changes = changedParams(defaults, input.texts);
  const changesKey = JSON.stringify(changes);
  const latest = useRef(0);

  const change = (next: IRerunInput): void => {
    setInput(next);
    props.onChange(next);
  };

  useEffect(() => {
    if (input.nameEdited) {
      return;
    }
    const ticket = ++latest.current;
    const timer = setTimeout(() => {
      props
        .suggest(changes)
        .then(name => {
          if (ticket === latest.current) {
            setInput(current => {
              const next = current.nameEdited ? current : { ...current, name };
              props.onChange(next);
              return next;
            });
          }
        })
        .catch(() => {
          // no suggestion (a value the server cannot read yet): keep the name shown
        });
    }, SUGGEST_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [changesKey, input.nameEdited]);

  return (
    <div className="jp-mlops-rerun-fields">
      <p>
        {`Runs ${run.notebook_path ?? 'the notebook'} again in the background with papermill; `}
        the new run appears in the list and updates as it runs.
      </p>
      <label className="jp-mlops-rerun-name">
        <span>Name of the new run</span>
        <input
          className="jp-mlops-rerun-name-input"
          value={input.name}
          onChange={event => {
            change({ ...input, name: event.target.value, nameEdited: true });
          }}
        />
      </label>
      {input.nameEdited && (
        <button
          className="jp-mlops-link-button"
          onClick={() => {
            change({ ...input, nameEdited: false });
          }}
        >
          Name it from the changes
        </button>
      )}
      {start.params.length === 0 ? (
        <p className="jp-mlops-muted">
          This run has no params: it runs again as it was.
        </p>
      ) : (
        <table className="jp-mlops-kv-table jp-mlops-rerun-table">
          <tbody>
            {start.params.map(param => {
              const changed = param.name in changes;
              return (
                <tr
                  key={param.name}
                  className={changed ? 'jp-mlops-changed' : undefined}
                  data-changed={changed}
                >
                  <th>
                    <label htmlFor={`jp-mlops-param-${param.name}`}>
                      {param.name}
                    </label>
                  </th>
                  <td>
                    <ParamInput
                      param={param}
                      text={input.texts[param.name] ?? ''}
                      onChange={text => {
                        change({
                          ...input,
                          texts: { ...input.texts, [param.name]: text }
                        });
                      }}
                    />
                  </td>
                  <td className="jp-mlops-rerun-was">
                    {changed && `changed, was ${formatValue(param.value)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
