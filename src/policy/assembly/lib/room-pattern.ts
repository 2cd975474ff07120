/**
 * Room patterns as tokens use them: dot-separated segments, `*` matches one segment, `>` the rest
 * (one or more segments).
 */
export function roomMatches(pattern: string, room: string): bool {
  const p = pattern.split('.');
  const r = room.split('.');
  for (let i = 0; i < p.length; i++) {
    const segment = p[i];
    if (segment == '>') return r.length > i;
    if (i >= r.length) return false;
    if (segment != '*' && segment != r[i]) return false;
  }
  return p.length == r.length;
}
