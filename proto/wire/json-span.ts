/** Start (inclusive) and end (exclusive) of a value's text in a string. */
export interface JsonSpan {
  readonly start: number;
  readonly end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Finds the text of the member `key` of the top-level object in `text`, which MUST already be known
 * valid JSON of an object (the caller ran JSON.parse on it): the scan relies on that and checks
 * nothing. Like JSON.parse, the last of duplicate keys wins and escaped key spellings match.
 * Returns undefined when the key is absent.
 */
export function findMemberSpan(text: string, key: string): JsonSpan | undefined {
  let found: JsonSpan | undefined;
  let i = skipSpace(text, 0) + 1; // past '{'
  for (;;) {
    i = skipSpace(text, i);
    if (text.charCodeAt(i) === CLOSE_BRACE) return found;
    const keyStart = i;
    i = skipString(text, i);
    const matches = keyMatches(text, keyStart, i, key);
    i = skipSpace(text, i);
    if (text.charCodeAt(i) === COLON) i = skipSpace(text, i + 1);
    const start = i;
    i = skipValue(text, i);
    if (matches) found = { start, end: i };
    i = skipSpace(text, i);
    if (text.charCodeAt(i) === COMMA) i++;
    else return found;
  }
}

/** `start`/`end` span the key with its quotes. Compares in place: no slice on the common path. */
function keyMatches(text: string, start: number, end: number, key: string): boolean {
  if (end - start - 2 === key.length && text.startsWith(key, start + 1)) return true;
  for (let i = start + 1; i < end - 1; i++) {
    if (text.charCodeAt(i) === BACKSLASH) return JSON.parse(text.slice(start, end)) === key;
  }
  return false;
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    // JSON whitespace: space, tab, LF, CR
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else return i;
  }
}

/** `i` is at an opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return text.length; // unreachable on valid JSON
    // An odd run of backslashes before the quote escapes it.
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipNested(text, i);
  // number, true, false, null: up to the next delimiter
  let j = i + 1;
  for (;;) {
    const d = text.charCodeAt(j);
    if (
      d === COMMA ||
      d === CLOSE_BRACE ||
      d === CLOSE_BRACKET ||
      d === 0x20 ||
      d === 0x09 ||
      d === 0x0a
    )
      return j;
    if (d === 0x0d || Number.isNaN(d)) return j;
    j++;
  }
}

/** Strings are skipped with native indexOf; the rest is a char loop (measured faster than regex). */
function skipNested(text: string, i: number): number {
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
    i++;
  }
  return n; // unreachable on valid JSON
}
