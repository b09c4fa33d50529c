import React, { useEffect, useRef, useState } from 'react';

import { RunsModel } from '../model';

/** Typing pauses this long before the filter is applied. */
const FILTER_DELAY_MS = 400;

/**
 * The filter expression of the runs list, applied after a pause in typing or on Enter;
 * a bad expression is explained under the box, with a caret at the bad character.
 */
export function FilterBox(props: { model: RunsModel }): React.ReactElement {
  const { model } = props;
  const [text, setText] = useState(model.state.filter);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const error = model.state.filterError;

  const apply = (value: string): void => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (value !== model.state.filter || model.state.filterError) {
      void model.setFilter(value);
    }
  };

  // The filter can change from elsewhere (the experiment's remembered view, "List them
  // all"): show it, unless the user is typing one.
  const applied = model.state.filter;
  useEffect(() => {
    if (timer.current === null) {
      setText(applied);
    }
  }, [applied]);

  useEffect(
    () => () => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  const position = error?.position ?? null;
  const reason = error?.extra['reason'];
  return (
    <div className="jp-mlops-filter">
      <input
        className="jp-mlops-filter-input"
        type="search"
        spellCheck={false}
        value={text}
        aria-invalid={error !== null}
        aria-label="Filter runs"
        placeholder="filter: metrics.acc > 0.9 and params.lr < 0.1"
        onChange={event => {
          const value = event.target.value;
          setText(value);
          if (timer.current !== null) {
            clearTimeout(timer.current);
          }
          timer.current = setTimeout(() => {
            apply(value);
          }, FILTER_DELAY_MS);
        }}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            apply(text);
          }
        }}
      />
      {error && (
        <div className="jp-mlops-filter-error" role="alert">
          <div>
            {typeof reason === 'string' ? reason : error.detail}
            {position !== null && ` (at character ${position + 1})`}
          </div>
          {position !== null && (
            <pre className="jp-mlops-filter-pointer">
              {model.state.filter}
              {'\n'}
              {' '.repeat(position)}^
            </pre>
          )}
        </div>
      )}
    </div>
  );
}
