/**
 * The columns of the runs table: name, the chosen params, metrics and tags grouped under
 * headers, then start and duration. Each says how to sort by it and how to show a run's value.
 */
import {
  formatDuration,
  formatNumber,
  formatShortTime,
  formatValue,
  runDuration
} from './format';
import { fieldName, IColumns } from './model';
import { IRun } from './payloads';

export interface IColumn {
  /** The field sorted by (the filter language's name: `started_at`, `params.lr`, ...). */
  field: string;
  /** Header text. */
  label: string;
  /** The field as the header's tooltip names it. */
  title: string;
  /** The header group it sits under (run attributes have none). */
  kind: 'attribute' | 'params' | 'metrics' | 'tags';
  render: (run: IRun) => string;
}

/** The group headers above the columns: a label and how many columns it spans. */
export function columnGroups(
  cols: IColumn[]
): { kind: IColumn['kind']; label: string; span: number }[] {
  const labels = {
    attribute: '',
    params: 'Params',
    metrics: 'Metrics',
    tags: 'Tags'
  };
  const groups: { kind: IColumn['kind']; label: string; span: number }[] = [];
  for (const col of cols) {
    const last = groups.at(-1);
    if (last && last.kind === col.kind) {
      last.span++;
    } else {
      groups.push({ kind: col.kind, label: labels[col.kind], span: 1 });
    }
  }
  return groups;
}

const STARTED: IColumn = {
  field: 'started_at',
  label: 'Started',
  title: 'started_at',
  kind: 'attribute',
  render: run => formatShortTime(run.started_at)
};

const DURATION: IColumn = {
  field: 'duration',
  label: 'Duration',
  title: 'duration',
  kind: 'attribute',
  render: run => formatDuration(runDuration(run))
};

/** Name (with the status), the chosen params, metrics and tags, then start and duration:
 * at sidebar width what tells runs apart comes first. */
export function tableColumns(columns: IColumns): IColumn[] {
  return [
    {
      field: 'name',
      label: 'Name',
      title: 'name',
      kind: 'attribute',
      render: run => run.name
    },
    ...columns.params.map((key): IColumn => ({
      field: fieldName('params', key),
      label: key,
      title: `params.${key}`,
      kind: 'params',
      render: run => formatValue(run.params[key])
    })),
    ...columns.metrics.map((key): IColumn => ({
      field: fieldName('metrics', key),
      label: key,
      title: `metrics.${key}`,
      kind: 'metrics',
      render: run => {
        const value = run.metrics[key];
        return value === undefined ? '' : formatNumber(value);
      }
    })),
    ...columns.tags.map((key): IColumn => ({
      field: fieldName('tags', key),
      label: key,
      title: `tags.${key}`,
      kind: 'tags',
      render: run => run.tags[key] ?? ''
    })),
    STARTED,
    DURATION
  ];
}
