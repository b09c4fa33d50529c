import React from 'react';

/** The ⟳ button of a view's header; `label` says what it loads again. */
export function RefreshButton(props: {
  label: string;
  onRefresh: () => Promise<void>;
}): React.ReactElement {
  return (
    <button
      className="jp-mlops-button jp-mlops-icon-button"
      title={props.label}
      aria-label={props.label}
      onClick={() => void props.onRefresh()}
    >
      ⟳
    </button>
  );
}
