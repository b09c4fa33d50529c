/** Runs as the REST API sends them, for the models' tests. */
import { IRun, IRunDetail } from '../src/payloads';

export function run(
  id: string,
  status: IRun['status'] = 'finished',
  extra: Partial<IRun> = {}
): IRun {
  return {
    id,
    name: `run ${id}`,
    experiment: 'default',
    status,
    parent_id: null,
    started_at: 1,
    ended_at: status === 'running' ? null : 2,
    duration: status === 'running' ? null : 1,
    params: { lr: 0.1, opt: 'adam', batch: 32, seed: 1 },
    metrics: { acc: 0.9, loss: 0.1, 'system/cpu': 50 },
    tags: {},
    note: '',
    notebook_path: null,
    source: 'cell',
    error: null,
    outputs: {},
    host: null,
    pid: null,
    ...extra
  };
}

export function runDetail(
  id: string,
  status: IRun['status'] = 'finished',
  extra: Partial<IRunDetail> = {}
): IRunDetail {
  return {
    ...run(id, status),
    env: {},
    metric_keys: ['acc', 'loss', 'system/cpu'],
    artifacts: [],
    execution_record: [],
    has_snapshot: false,
    ...extra
  };
}

/** A metric's history as `GET runs/{id}/metrics/{key}` answers it. */
export function series(runId: string, key: string, values: number[]) {
  return {
    run_id: runId,
    key,
    steps: values.map((_, i) => i),
    values,
    timestamps: values.map((_, i) => 1000 + i),
    total_points: values.length,
    downsampled: false
  };
}
