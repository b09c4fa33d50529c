import React from 'react';

/** A titled part of a view, with an optional count next to its title. */
export function Section(props: {
  title: string;
  count?: number;
  children: React.ReactNode;
}): React.ReactElement {
  return (
    <section className="jp-mlops-section">
      <h3>
        {props.title}
        {props.count !== undefined && (
          <span className="jp-mlops-count">{props.count}</span>
        )}
      </h3>
      {props.children}
    </section>
  );
}
