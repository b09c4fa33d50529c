import { CommandRegistry } from '@lumino/commands';
import React, { useRef, useState } from 'react';

import { columnGroups, IColumn, tableColumns } from '../columns';
import { formatTime } from '../format';
import { CHILDREN_SHOWN, RunsModel } from '../model';
import { IRun } from '../payloads';
import { nameSuffixes } from '../tableDefaults';
import { CommandIDs } from '../tokens';
import { ReproducedBadge } from './ReproducedBadge';
import { StatusBadge } from './StatusBadge';

/** A line of the table body: a run (top level or a child) or a note under a parent. */
type Line =
  | { kind: 'run'; run: IRun; depth: number }
  | { kind: 'note'; parent: string; text: string; filter?: string };

function lines(model: RunsModel): Line[] {
  const { runs, expanded, children } = model.state;
  const out: Line[] = [];
  for (const run of runs) {
    out.push({ kind: 'run', run, depth: 0 });
    if (!expanded.includes(run.id)) {
      continue;
    }
    const list = children[run.id];
    if (!list || list.loading) {
      out.push({ kind: 'note', parent: run.id, text: 'Loading child runs…' });
      continue;
    }
    if (list.error) {
      out.push({
        kind: 'note',
        parent: run.id,
        text: `Child runs cannot be listed: ${list.error.detail}`
      });
      continue;
    }
    list.runs.forEach(child => out.push({ kind: 'run', run: child, depth: 1 }));
    if (list.total > list.runs.length) {
      out.push({
        kind: 'note',
        parent: run.id,
        text: `${list.total - list.runs.length} more child runs (the first ${CHILDREN_SHOWN} are shown)`,
        filter: `parent_id = '${run.id}'`
      });
    }
  }
  return out;
}

/**
 * The runs of the current page: a row each (click or Enter opens the run, Space selects it,
 * arrow keys move between rows and expand a sweep's or pipeline's children), headers grouped
 * under Params / Metrics / Tags whose buttons sort; or what to do when there are none. The
 * checkbox and Name columns stay in place while the table scrolls sideways.
 */
export function RunsTable(props: {
  model: RunsModel;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, commands } = props;
  const { runs, columns, loading, filter, store, expanded } = model.state;
  const selected = model.selected;
  const body = useRef<HTMLTableSectionElement>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const cols = tableColumns(columns);
  const allSelected =
    runs.length > 0 && runs.every(run => selected.has(run.id));

  if (runs.length === 0) {
    return (
      <div className="jp-mlops-empty">
        {loading ? (
          'Loading runs…'
        ) : filter || model.state.experiment ? (
          'No runs match.'
        ) : (
          <>
            <p>No runs yet in the store at</p>
            <code className="jp-mlops-path">{store || 'this folder'}</code>
            <p>
              Put <code>%load_ext jupyter_mlops</code> in a notebook and{' '}
              <code>%%track</code> at the top of a cell (the “Track this cell”
              button of the notebook toolbar does it), then run the cell.
            </p>
          </>
        )}
      </div>
    );
  }

  const shown = lines(model);
  const shownRuns = shown.flatMap(line =>
    line.kind === 'run' ? [line.run] : []
  );
  const suffixes = nameSuffixes(shownRuns);
  const focusable =
    focused !== null && shownRuns.some(run => run.id === focused)
      ? focused
      : shownRuns[0]?.id;
  const open = (run: IRun): void =>
    void commands.execute(CommandIDs.openRun, {
      id: run.id,
      path: model.state.path
    });
  const focusRow = (id: string | undefined): void => {
    if (id === undefined) {
      return;
    }
    setFocused(id);
    body.current
      ?.querySelector<HTMLElement>(`tr[data-run-id="${CSS.escape(id)}"]`)
      ?.focus();
  };
  const onKey = (event: React.KeyboardEvent, run: IRun, depth: number) => {
    if (event.target !== event.currentTarget) {
      return; // a key for the checkbox or a button inside the row
    }
    const index = shownRuns.findIndex(r => r.id === run.id);
    const hasChildren = (run.children ?? 0) > 0 && model.nested;
    const isOpen = expanded.includes(run.id);
    const handled = (): void => {
      event.preventDefault();
      event.stopPropagation();
    };
    switch (event.key) {
      case 'Enter':
        handled();
        open(run);
        break;
      case ' ':
        handled();
        model.toggleSelected(run.id);
        break;
      case 'ArrowDown':
        handled();
        focusRow(shownRuns[index + 1]?.id);
        break;
      case 'ArrowUp':
        handled();
        focusRow(shownRuns[index - 1]?.id);
        break;
      case 'Home':
        handled();
        focusRow(shownRuns[0]?.id);
        break;
      case 'End':
        handled();
        focusRow(shownRuns.at(-1)?.id);
        break;
      case 'ArrowRight':
        if (hasChildren && !isOpen) {
          handled();
          void model.toggleExpanded(run.id);
        }
        break;
      case 'ArrowLeft':
        if (hasChildren && isOpen) {
          handled();
          void model.toggleExpanded(run.id);
        } else if (depth > 0 && run.parent_id) {
          handled();
          focusRow(run.parent_id);
        }
        break;
    }
  };
  const groups = columnGroups(cols);

  return (
    <div className="jp-mlops-table-wrapper">
      <table className="jp-mlops-runs-table">
        <thead>
          <tr className="jp-mlops-group-row">
            <th className="jp-mlops-select-cell jp-mlops-sticky-start" />
            {groups.map((group, i) => (
              <th
                key={`${group.kind}-${i}`}
                colSpan={group.span}
                scope="colgroup"
                className={`jp-mlops-group jp-mlops-group-${group.kind}${i === 0 ? ' jp-mlops-sticky-name' : ''}`}
              >
                {i === 0 ? '' : group.label}
              </th>
            ))}
          </tr>
          <tr>
            <th className="jp-mlops-select-cell jp-mlops-sticky-start">
              <input
                type="checkbox"
                aria-label="Select all runs on this page"
                checked={allSelected}
                onChange={() => {
                  model.setSelected(
                    allSelected
                      ? [...selected].filter(id => !runs.some(r => r.id === id))
                      : [...selected, ...runs.map(run => run.id)]
                  );
                }}
              />
            </th>
            {cols.map(col => (
              <SortHeader
                key={col.field}
                col={col}
                model={model}
                sticky={col.field === 'name'}
              />
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {shown.map(line =>
            line.kind === 'note' ? (
              <tr
                key={`note-${line.parent}`}
                className="jp-mlops-child-note"
                data-parent-id={line.parent}
              >
                <td className="jp-mlops-select-cell jp-mlops-sticky-start" />
                <td
                  className="jp-mlops-sticky-name jp-mlops-child-note-text"
                  colSpan={cols.length}
                >
                  {line.text}
                  {line.filter !== undefined && line.filter !== '' && (
                    <button
                      className="jp-mlops-link-button"
                      onClick={() => void model.setFilter(line.filter ?? '')}
                    >
                      List them all
                    </button>
                  )}
                </td>
              </tr>
            ) : (
              <RunRow
                key={line.run.id}
                run={line.run}
                depth={line.depth}
                cols={cols}
                model={model}
                suffix={suffixes.get(line.run.id)}
                tabIndex={line.run.id === focusable ? 0 : -1}
                onOpen={open}
                onFocus={() => {
                  setFocused(line.run.id);
                }}
                onKey={onKey}
              />
            )
          )}
        </tbody>
      </table>
    </div>
  );
}

function SortHeader(props: {
  col: IColumn;
  model: RunsModel;
  sticky: boolean;
}): React.ReactElement {
  const { col, model, sticky } = props;
  const sort = model.state.sort;
  const active = sort?.field === col.field;
  const direction = active
    ? sort.descending
      ? 'descending'
      : 'ascending'
    : 'none';
  return (
    <th
      className={`jp-mlops-col-${col.kind}${active ? ' jp-mlops-sorted' : ''}${sticky ? ' jp-mlops-sticky-name' : ''}`}
      aria-sort={direction}
      data-field={col.field}
      scope="col"
    >
      <button
        className="jp-mlops-sort-button"
        title={`Sort by ${col.title}${active ? (sort.descending ? ' (now descending)' : ' (now ascending)') : ''}`}
        onClick={() => void model.sortBy(col.field)}
      >
        {col.label}
        {active && (
          <span aria-hidden="true">{sort.descending ? ' ▼' : ' ▲'}</span>
        )}
      </button>
    </th>
  );
}

function RunRow(props: {
  run: IRun;
  depth: number;
  cols: IColumn[];
  model: RunsModel;
  suffix: string | undefined;
  tabIndex: number;
  onOpen: (run: IRun) => void;
  onFocus: () => void;
  onKey: (event: React.KeyboardEvent, run: IRun, depth: number) => void;
}): React.ReactElement {
  const { run, depth, cols, model, suffix } = props;
  const selected = model.selected.has(run.id);
  const count = run.children ?? 0;
  const canExpand = count > 0 && model.nested && depth === 0;
  const isOpen = model.state.expanded.includes(run.id);
  return (
    <tr
      data-run-id={run.id}
      data-status={run.status}
      data-depth={depth}
      className={`jp-mlops-run-row${selected ? ' jp-mlops-selected' : ''}${depth ? ' jp-mlops-child-row' : ''}`}
      title={`${run.name} (${run.id}) — click or Enter for details, Space selects`}
      tabIndex={props.tabIndex}
      aria-selected={selected}
      aria-expanded={canExpand ? isOpen : undefined}
      onFocus={props.onFocus}
      onKeyDown={event => {
        props.onKey(event, run, depth);
      }}
      onClick={() => {
        props.onOpen(run);
      }}
    >
      <td
        className="jp-mlops-select-cell jp-mlops-sticky-start"
        onClick={event => {
          event.stopPropagation();
        }}
      >
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={`Select run ${run.name}`}
          checked={selected}
          onChange={() => {
            model.toggleSelected(run.id);
          }}
        />
      </td>
      {cols.map(col =>
        col.field === 'name' ? (
          <td
            key={col.field}
            className="jp-mlops-name-cell jp-mlops-sticky-name"
          >
            <span className="jp-mlops-name-line">
              {canExpand ? (
                <button
                  className="jp-mlops-expand"
                  tabIndex={-1}
                  aria-expanded={isOpen}
                  aria-label={`${isOpen ? 'Hide' : 'Show'} the ${count} child runs of ${run.name}`}
                  title={`${isOpen ? 'Hide' : 'Show'} ${count} child runs`}
                  onClick={event => {
                    event.stopPropagation();
                    void model.toggleExpanded(run.id);
                  }}
                >
                  {isOpen ? '▾' : '▸'}
                </button>
              ) : (
                <span className="jp-mlops-expand-space" />
              )}
              <StatusBadge status={run.status} compact />
              <ReproducedBadge tags={run.tags} compact />
              {run.colour && <RunChip colour={run.colour} />}
              <span className="jp-mlops-run-name">{run.name}</span>
              {suffix && <span className="jp-mlops-name-suffix">{suffix}</span>}
              {canExpand && (
                <span
                  className="jp-mlops-child-count"
                  title={`${count} child runs`}
                >
                  {count}
                </span>
              )}
            </span>
          </td>
        ) : col.field === 'started_at' ? (
          <td key={col.field} title={formatTime(run.started_at)}>
            {col.render(run)}
          </td>
        ) : (
          <td key={col.field} className={`jp-mlops-col-${col.kind}`}>
            {col.render(run)}
          </td>
        )
      )}
    </tr>
  );
}

/** The colour of the run's lines in every chart: a square beside its name, named for readers. */
function RunChip(props: { colour: string }): React.ReactElement {
  return (
    <span
      className="jp-mlops-colour-chip jp-mlops-run-chip"
      style={{ background: props.colour }}
      role="img"
      aria-label={`chart colour ${props.colour}`}
      title={`The colour of this run’s lines in charts (${props.colour})`}
    />
  );
}
