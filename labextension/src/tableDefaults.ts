/**
 * What the runs table shows before the user chooses: the params that tell the runs shown
 * apart, the metric the table is sorted by, and a suffix for runs that share a name.
 */
import { formatValue } from './format';
import { IRun, JSONValue } from './payloads';

export interface IColumns {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** A column the table can sort by: a run attribute, `params.KEY`, `metrics.KEY` or `tags.KEY`. */
export interface ISortKey {
  field: string;
  descending: boolean;
}

/** Tags the store keeps for itself (`mlops.snapshot`, ...): never offered as columns. */
export function internalTag(key: string): boolean {
  return key.startsWith('mlops.');
}

/** The metrics a table offers: system metrics (`system/cpu`) are for the detail view. */
export function listedMetric(key: string): boolean {
  return !key.startsWith('system/');
}

/** The param, metric and tag keys of these runs, each list sorted. */
export function availableColumns(runs: IRun[]): IColumns {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    Object.keys(run.params).forEach(key => params.add(key));
    Object.keys(run.metrics)
      .filter(listedMetric)
      .forEach(key => metrics.add(key));
    Object.keys(run.tags)
      .filter(key => !internalTag(key))
      .forEach(key => tags.add(key));
  }
  return {
    params: [...params].sort(),
    metrics: [...metrics].sort(),
    tags: [...tags].sort()
  };
}

function valueKey(value: JSONValue | undefined): string {
  return value === undefined ? '\u0000missing' : JSON.stringify(value);
}

/** Params whose value is not the same in all of `runs` (a run without one counts as a value). */
export function varyingParams(runs: IRun[]): string[] {
  const keys = availableColumns(runs).params;
  return keys.filter(
    key => new Set(runs.map(run => valueKey(run.params[key]))).size > 1
  );
}

/** The metric of a sort key (`metrics.acc`, ``metrics.`val loss` ``), or null. */
export function sortedMetric(sort: ISortKey | null): string | null {
  const match = sort ? /^metrics\.(?:`([^`]*)`|(.+))$/.exec(sort.field) : null;
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/**
 * The columns shown until the user picks some: the params that vary among `runs` (at most
 * `most`, those with the most distinct values first) and one metric: the one sorted by, else
 * the one most of the runs have.
 */
export function defaultColumns(
  runs: IRun[],
  sort: ISortKey | null,
  most: number
): IColumns {
  const distinct = (key: string): number =>
    new Set(runs.map(run => valueKey(run.params[key]))).size;
  const params = varyingParams(runs)
    .map(key => ({ key, count: distinct(key) }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, most)
    .map(({ key }) => key)
    .sort();
  const sorted = sortedMetric(sort);
  let metric = sorted;
  if (metric === null) {
    const seen = new Map<string, number>();
    for (const run of runs) {
      for (const key of Object.keys(run.metrics).filter(listedMetric)) {
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const ranked = [...seen].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0])
    );
    metric = ranked[0]?.[0] ?? null;
  }
  return { params, metrics: metric === null ? [] : [metric], tags: [] };
}

/**
 * What tells apart runs shown under the same name: the params whose values differ among
 * them (at most two, as `lr=0.1 epochs=40`), else the end of each one's id. Runs whose
 * name is their own get no suffix.
 */
export function nameSuffixes(runs: IRun[]): Map<string, string> {
  const byName = new Map<string, IRun[]>();
  for (const run of runs) {
    byName.set(run.name, [...(byName.get(run.name) ?? []), run]);
  }
  const suffixes = new Map<string, string>();
  for (const group of byName.values()) {
    if (group.length < 2) {
      continue;
    }
    const keys = varyingParams(group).slice(0, 2);
    const texts = group.map(run =>
      keys
        .filter(key => run.params[key] !== undefined)
        .map(key => `${key}=${formatValue(run.params[key])}`)
        .join(' ')
    );
    const distinct = new Set(texts).size === group.length;
    group.forEach((run, i) => {
      suffixes.set(
        run.id,
        distinct ? (texts[i] ?? '') : `#${run.id.slice(-5)}`
      );
    });
  }
  return suffixes;
}
