/**
 * User input turned into changes: the `%%track` line of a cell, `key=value` tags and
 * edited param values. Plain functions, shared by the commands and the dialogs.
 */
import { JSONValue } from './payloads';

export const TRACK_MAGIC = '%%track';
export const LOAD_EXTENSION = '%load_ext jupyter_mlops';

/** The cell source with `%%track` as its first line (unchanged if it has it already). */
export function withTrackMagic(source: string): string {
  if (/^\s*%%track\b/.test(source)) {
    return source;
  }
  return `${TRACK_MAGIC}\n${source}`;
}

/** Tags that jupyter-mlops keeps for itself (`mlops.snapshot`, `mlops.controls`, ...). */
export const INTERNAL_TAG_PREFIX = 'mlops.';

export function isInternalTag(key: string): boolean {
  return key.startsWith(INTERNAL_TAG_PREFIX);
}

/** The tags a user sees and edits: all but the internal ones. */
export function visibleTags(
  tags: Record<string, string>
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).filter(([key]) => !isInternalTag(key))
  );
}

/** Why a tag cannot be added as typed, or null when it can. */
export function tagProblem(key: string): string | null {
  if (!key.trim()) {
    return 'A tag needs a name: write it as key=value, e.g. stage=prod.';
  }
  if (isInternalTag(key.trim())) {
    return `Tags starting with "${INTERNAL_TAG_PREFIX}" are kept by jupyter-mlops itself: choose another name.`;
  }
  return null;
}

/** `key=value` as a tag; null when there is no key or no `=`. */
export function parseTag(text: string): [string, string] | null {
  const index = text.indexOf('=');
  if (index <= 0) {
    return null;
  }
  const key = text.slice(0, index).trim();
  return key ? [key, text.slice(index + 1).trim()] : null;
}

/**
 * The value typed for a param. Text stays text when the original value was text;
 * otherwise it is read as JSON (`0.01`, `true`, `[1, 2]`), falling back to text so the
 * server can say why it does not fit.
 */
export function parseParamInput(
  text: string,
  original: JSONValue | undefined
): JSONValue {
  if (typeof original === 'string') {
    return text;
  }
  try {
    return JSON.parse(text) as JSONValue;
  } catch {
    return text;
  }
}

/** Params whose typed value differs from the run's. */
export function changedParams(
  original: Record<string, JSONValue>,
  typed: Record<string, string>
): Record<string, JSONValue> {
  const changes: Record<string, JSONValue> = {};
  for (const [key, text] of Object.entries(typed)) {
    const before = original[key];
    const value = parseParamInput(text, before);
    if (JSON.stringify(value) !== JSON.stringify(before)) {
      changes[key] = value;
    }
  }
  return changes;
}
