/**
 * The columns of the runs table: status, name, start and duration, then the chosen
 * metrics and params. Each says how to sort by it and how to show a run's value.
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
  kind: 'attribute' | 'params' | 'metrics';
  render: (run: IRun) => string;
}

export function tableColumns(columns: IColumns): IColumn[] {
  return [
    {
      field: 'status',
      label: '',
      title: 'status',
      kind: 'attribute',
      render: run => run.status
    },
    {
      field: 'name',
      label: 'Name',
      title: 'name',
      kind: 'attribute',
      render: run => run.name
    },
    {
      field: 'started_at',
      label: 'Started',
      title: 'started_at',
      kind: 'attribute',
      render: run => formatShortTime(run.started_at)
    },
    {
      field: 'duration',
      label: 'Duration',
      title: 'duration',
      kind: 'attribute',
      render: run => formatDuration(runDuration(run))
    },
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
    ...columns.params.map((key): IColumn => ({
      field: fieldName('params', key),
      label: key,
      title: `params.${key}`,
      kind: 'params',
      render: run => formatValue(run.params[key])
    }))
  ];
}
