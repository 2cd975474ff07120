import type { JsonValue, PresenceEntry } from './presence-entry.js';

/** One connection as clients see it: the server's fields, then the client's meta. */
export type PresenceMetaView = {
  readonly conn: string;
  readonly node: string;
  readonly online_at: number;
  readonly [key: string]: JsonValue;
};

/** The PROTOCOL's `presences` shape: `{ "<sub>": { "metas": [...] } }`, one meta per connection. */
export type Presences = { readonly [sub: string]: { readonly metas: readonly PresenceMetaView[] } };

/** Server fields win over client meta of the same name, so a client cannot spoof them. */
const RESERVED_META_KEYS: ReadonlySet<string> = new Set(['conn', 'node', 'online_at']);

/** Defines an own property even for `__proto__`, which plain assignment would treat as a setter. */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function metaViewOf(entry: PresenceEntry): PresenceMetaView {
  const view: Record<string, JsonValue> = {
    conn: entry.conn,
    node: entry.node,
    online_at: entry.onlineAt,
  };
  for (const key of Object.keys(entry.meta)) {
    if (!RESERVED_META_KEYS.has(key)) setOwn(view, key, entry.meta[key]);
  }
  return view as PresenceMetaView;
}

/** Groups entries by key (sub) into the PROTOCOL shape; metas keep the order given. */
export function presencesOf(entries: Iterable<PresenceEntry>): Presences {
  const out: Record<string, { metas: PresenceMetaView[] }> = {};
  const byKey = new Map<string, PresenceMetaView[]>();
  for (const entry of entries) {
    let metas = byKey.get(entry.key);
    if (metas === undefined) {
      metas = [];
      byKey.set(entry.key, metas);
      setOwn(out, entry.key, { metas });
    }
    metas.push(metaViewOf(entry));
  }
  return out;
}
