/** Plain-text renderings of values, times and durations shown in the views. */
import { JSONValue, RunStatus } from './payloads';

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '∞' : '-∞';
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    return String(value);
  }
  return Number(value.toPrecision(6)).toString();
}

export function formatValue(value: JSONValue | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    return formatNumber(value);
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return '–';
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)}ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  }
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatTime(timestamp: number | null): string {
  if (timestamp === null) {
    return '–';
  }
  const date = new Date(timestamp * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** `MM-DD HH:MM` of today's year, for narrow tables (the full time goes in a tooltip). */
export function formatShortTime(timestamp: number): string {
  const date = new Date(timestamp * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Duration of a run; a running run's duration so far. */
export function runDuration(run: {
  started_at: number;
  ended_at: number | null;
  status: RunStatus;
}): number | null {
  if (run.ended_at !== null) {
    return run.ended_at - run.started_at;
  }
  return run.status === 'running' ? Date.now() / 1000 - run.started_at : null;
}

export function formatBytes(size: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

/** Terminal colour codes stripped from a traceback. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** A run as named in legends and column headers: its name and the end of its id. */
export function runLabel(run: { name: string; id: string }): string {
  return `${run.name} (${run.id.slice(-6)})`;
}

/** Longest folder path an option shows whole; a longer one keeps its last folders. */
const SHOWN_CHARS = 24;

/**
 * A folder (relative to the server root) as an option shows it: `/path`, or its last folders
 * after `…/` when it is longer than `max` characters (the picker's title holds it whole).
 */
export function shortFolder(path: string, max = SHOWN_CHARS): string {
  const whole = `/${path}`;
  if (whole.length <= max) {
    return whole;
  }
  const parts = path.split('/').filter(part => part !== '');
  let tail = parts.pop() ?? '';
  if (tail.length + 2 > max) {
    const keep = max - 3; // "…/" and the "…" inside the folder's name
    return `…/${tail.slice(0, Math.ceil(keep / 2))}…${tail.slice(tail.length - Math.floor(keep / 2))}`;
  }
  for (let next = parts.pop(); next !== undefined; next = parts.pop()) {
    if (tail.length + next.length + 3 > max) {
      break;
    }
    tail = `${next}/${tail}`;
  }
  return `…/${tail}`;
}
