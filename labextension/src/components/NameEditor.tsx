import React, { useEffect, useState } from 'react';

/** The run's name, saved on Enter or when the field loses focus; Escape undoes. */
export function NameEditor(props: {
  name: string;
  onSave: (name: string) => void;
}): React.ReactElement {
  const [value, setValue] = useState(props.name);
  useEffect(() => {
    setValue(props.name);
  }, [props.name]);
  const commit = (): void => {
    if (value.trim() && value !== props.name) {
      props.onSave(value);
    } else {
      setValue(props.name);
    }
  };
  return (
    <input
      className="jp-mlops-name-input"
      aria-label="Run name"
      value={value}
      onChange={event => {
        setValue(event.target.value);
      }}
      onBlur={commit}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          commit();
        } else if (event.key === 'Escape') {
          setValue(props.name);
        }
      }}
    />
  );
}
