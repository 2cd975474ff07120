import type { Test } from 'tap';

/** `t.match` on arrays ignores extra elements: this checks the length too. */
export function matchList(
  t: Test,
  actual: readonly unknown[],
  patterns: readonly unknown[],
  what: string,
): void {
  t.equal(actual.length, patterns.length, `${what}: ${patterns.length} of them`);
  t.match(actual, patterns, what);
}
