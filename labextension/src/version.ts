/** The version of this extension; it must equal the Python package's (`GET info`). */
export const PACKAGE_VERSION = '0.1.0';

/** Versions compared loosely: `0.1.0.dev1` (Python) equals `0.1.0-dev.1` (npm). */
export function sameVersion(a: string, b: string): boolean {
  const norm = (v: string): string =>
    v
      .trim()
      .toLowerCase()
      .replace(/^v/, '')
      .replace(/[-_.]?(dev|a|alpha|b|beta|rc)[-_.]?(\d*)/, '.$1$2');
  return norm(a) === norm(b);
}
