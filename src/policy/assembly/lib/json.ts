// A small JSON reader/writer for policies: just enough to find a member of the hook's input, walk
// a value and rewrite its string values. Written out rather than pulled from a JSON library so that
// a shipped policy stays a few kilobytes and has no build-time transform.

/** Where the last readString() ended (AssemblyScript has no tuples). */
export let lastEnd: i32 = 0;

const QUOTE: i32 = 0x22;
const BACKSLASH: i32 = 0x5c;

export function skipWs(s: string, i: i32): i32 {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    i++;
  }
  return i;
}

/** The index just after the JSON value that starts at `i` (whitespace skipped); -1 if malformed. */
export function skipValue(s: string, i: i32): i32 {
  i = skipWs(s, i);
  if (i >= s.length) return -1;
  const c = s.charCodeAt(i);
  if (c == QUOTE) return skipString(s, i);
  if (c == 0x7b || c == 0x5b) {
    // object or array: count nesting, stepping over strings
    let depth = 0;
    while (i < s.length) {
      const d = s.charCodeAt(i);
      if (d == QUOTE) {
        i = skipString(s, i);
        if (i < 0) return -1;
        continue;
      }
      if (d == 0x7b || d == 0x5b) depth++;
      else if (d == 0x7d || d == 0x5d) {
        depth--;
        if (depth == 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // number, true, false, null
  while (i < s.length) {
    const d = s.charCodeAt(i);
    if (d == 0x2c || d == 0x7d || d == 0x5d || d == 0x20 || d == 0x0a || d == 0x0d || d == 0x09)
      break;
    i++;
  }
  return i;
}

function skipString(s: string, i: i32): i32 {
  i++;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == BACKSLASH) i += 2;
    else if (c == QUOTE) return i + 1;
    else i++;
  }
  return -1;
}

/** The start of the value of member `key` of the top-level object in `s`; -1 when absent. */
export function findMember(s: string, key: string): i32 {
  let i = skipWs(s, 0);
  if (i >= s.length || s.charCodeAt(i) != 0x7b) return -1;
  i++;
  while (true) {
    i = skipWs(s, i);
    if (i >= s.length || s.charCodeAt(i) != QUOTE) return -1;
    const name = readString(s, i);
    i = skipWs(s, lastEnd);
    if (i >= s.length || s.charCodeAt(i) != 0x3a) return -1;
    const valueAt = skipWs(s, i + 1);
    if (name == key) return valueAt;
    i = skipValue(s, valueAt);
    if (i < 0) return -1;
    i = skipWs(s, i);
    if (i >= s.length || s.charCodeAt(i) != 0x2c) return -1;
    i++;
  }
  return -1;
}

/** The string member `key` of the top-level object, or "" when absent or not a string. */
export function stringMember(s: string, key: string): string {
  const at = findMember(s, key);
  if (at < 0 || s.charCodeAt(at) != QUOTE) return '';
  return readString(s, at);
}

/** Decodes the JSON string literal at `i` (s[i] is the opening quote); sets lastEnd. */
export function readString(s: string, i: i32): string {
  let out = '';
  let start = i + 1;
  let j = start;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c == QUOTE) break;
    if (c != BACKSLASH) {
      j++;
      continue;
    }
    out += s.substring(start, j);
    const e = s.charCodeAt(j + 1);
    if (e == 0x6e) out += '\n';
    else if (e == 0x74) out += '\t';
    else if (e == 0x72) out += '\r';
    else if (e == 0x62) out += '\b';
    else if (e == 0x66) out += '\f';
    else if (e == 0x75) {
      out += String.fromCharCode(<i32>parseInt(s.substring(j + 2, j + 6), 16));
      j += 4;
    } else out += String.fromCharCode(e);
    j += 2;
    start = j;
  }
  out += s.substring(start, j);
  lastEnd = j + 1;
  return out;
}

const HEX = '0123456789abcdef';

/** `s` as a JSON string literal. */
export function quote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c != QUOTE && c != BACKSLASH && c >= 0x20) continue;
    out += s.substring(start, i);
    if (c == QUOTE) out += '\\"';
    else if (c == BACKSLASH) out += '\\\\';
    else if (c == 0x0a) out += '\\n';
    else if (c == 0x0d) out += '\\r';
    else if (c == 0x09) out += '\\t';
    else out += '\\u00' + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    start = i + 1;
  }
  return out + s.substring(start) + '"';
}

/**
 * The JSON value at s[i..] with every string value (not object keys) replaced by `f(value)`;
 * sets lastEnd to the index after the value.
 */
export function mapStrings(s: string, i: i32, f: (value: string) => string): string {
  i = skipWs(s, i);
  const c = s.charCodeAt(i);
  if (c == QUOTE) {
    const value = readString(s, i);
    return quote(f(value));
  }
  if (c == 0x7b || c == 0x5b) {
    const object = c == 0x7b;
    let out = object ? '{' : '[';
    i = skipWs(s, i + 1);
    let first = true;
    while (i < s.length) {
      const d = s.charCodeAt(i);
      if (d == 0x7d || d == 0x5d) {
        lastEnd = i + 1;
        return out + (object ? '}' : ']');
      }
      if (!first) out += ',';
      first = false;
      if (object) {
        const key = readString(s, i);
        out += quote(key) + ':';
        i = skipWs(s, lastEnd) + 1; // past ':'
      }
      out += mapStrings(s, i, f);
      i = skipWs(s, lastEnd);
      if (i < s.length && s.charCodeAt(i) == 0x2c) i = skipWs(s, i + 1);
    }
    lastEnd = i;
    return out;
  }
  const end = skipValue(s, i);
  lastEnd = end;
  return s.substring(i, end);
}

/** Calls `f` on every string value in the JSON value at s[i..]; true when any call returned true. */
export function anyString(s: string, i: i32, f: (value: string) => bool): bool {
  found = false;
  predicate = f;
  mapStrings(s, i, check);
  return found;
}

let found = false;
let predicate: (value: string) => bool = never;

function never(_value: string): bool {
  return false;
}

function check(value: string): string {
  if (!found && predicate(value)) found = true;
  return value;
}
