import React from 'react';

/** The tag `jupyter mlops reproduce` stores on a run: `yes`, `no` or `failed`. */
export const VERDICT_TAG = 'mlops.reproduced';

const BADGES: Record<string, { label: string; glyph: string; title: string }> =
  {
    yes: {
      label: 'reproduced',
      glyph: '✓',
      title:
        'Executed again from its snapshot with its own params: every metric matched'
    },
    no: {
      label: 'differs',
      glyph: '≠',
      title:
        'Executed again from its snapshot with its own params: some metrics differ'
    },
    failed: {
      label: 'reproduction failed',
      glyph: '!',
      title:
        'Executed again from its snapshot with its own params: the execution failed'
    }
  };

/** A run's reproducibility verdict (nothing when it was never reproduced); `compact`: a
 * glyph whose words are for screen readers and the tooltip. */
export function ReproducedBadge(props: {
  tags: Record<string, string>;
  compact?: boolean;
}): React.ReactElement | null {
  const tag = props.tags[VERDICT_TAG] ?? '';
  const badge = Object.prototype.hasOwnProperty.call(BADGES, tag)
    ? BADGES[tag]
    : undefined;
  if (!badge) {
    return null;
  }
  return (
    <span
      className={`jp-mlops-reproduced jp-mlops-reproduced-${tag}${props.compact ? ' jp-mlops-reproduced-compact' : ''}`}
      title={badge.title}
      data-verdict={tag}
    >
      {props.compact ? (
        <>
          <span aria-hidden="true">{badge.glyph}</span>
          <span className="jp-mlops-visually-hidden">{badge.label}</span>
        </>
      ) : (
        badge.label
      )}
    </span>
  );
}
