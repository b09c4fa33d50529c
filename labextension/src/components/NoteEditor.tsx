import React, { useEffect, useState } from 'react';

/** The run's note, saved with its button (enabled once the text changed). */
export function NoteEditor(props: {
  note: string;
  onSave: (note: string) => void;
  /** Told whether the text differs from the stored note, each time that changes. */
  onUnsaved?: (unsaved: boolean) => void;
}): React.ReactElement {
  const [text, setText] = useState(props.note);
  const { onUnsaved } = props;
  useEffect(() => {
    setText(props.note);
  }, [props.note]);
  useEffect(() => {
    onUnsaved?.(text !== props.note);
  }, [text, props.note, onUnsaved]);
  return (
    <div className="jp-mlops-note">
      <textarea
        aria-label="Note"
        rows={3}
        value={text}
        placeholder="What was this run about?"
        onChange={event => {
          setText(event.target.value);
        }}
      />
      <button
        className="jp-mlops-button"
        disabled={text === props.note}
        onClick={() => {
          props.onSave(text);
        }}
      >
        Save note
      </button>
    </div>
  );
}
