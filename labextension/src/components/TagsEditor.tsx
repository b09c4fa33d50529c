import React, { useState } from 'react';

import { isInternalTag, tagProblem } from '../edits';

/**
 * The run's tags: each can be removed, and a new `key = value` added. Internal tags
 * (`mlops.*`) are not shown, and are kept as they are when the others are saved.
 */
export function TagsEditor(props: {
  tags: Record<string, string>;
  onSave: (tags: Record<string, string>) => void;
}): React.ReactElement {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const entries = Object.entries(props.tags)
    .filter(([k]) => !isInternalTag(k))
    .sort(([a], [b]) => a.localeCompare(b));
  const add = (): void => {
    const why = tagProblem(key);
    setProblem(why);
    if (why) {
      return;
    }
    props.onSave({ ...props.tags, [key.trim()]: value });
    setKey('');
    setValue('');
  };
  return (
    <div className="jp-mlops-tags">
      <ul className="jp-mlops-tag-list">
        {entries.map(([k, v]) => (
          <li key={k} className="jp-mlops-tag">
            <span className="jp-mlops-tag-key">{k}</span>
            <span className="jp-mlops-tag-value">{v}</span>
            <button
              className="jp-mlops-tag-remove"
              aria-label={`Remove tag ${k}`}
              title="Remove this tag"
              onClick={() => {
                const next = { ...props.tags };
                // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
                delete next[k];
                props.onSave(next);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="jp-mlops-tag-form">
        <input
          aria-label="Tag name"
          placeholder="tag"
          value={key}
          onChange={event => {
            setKey(event.target.value);
          }}
        />
        <input
          aria-label="Tag value"
          placeholder="value"
          value={value}
          onChange={event => {
            setValue(event.target.value);
          }}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              add();
            }
          }}
        />
        <button
          className="jp-mlops-button"
          disabled={!key.trim()}
          onClick={add}
        >
          Add tag
        </button>
      </div>
      {problem && (
        <div className="jp-mlops-error-text" role="alert">
          {problem}
        </div>
      )}
    </div>
  );
}
