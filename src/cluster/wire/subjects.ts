import { ClusterError, quote } from '../base/index.js';

/**
 * The cluster's NATS subjects, all under `arq.`:
 *
 *   arq.cluster.hb                              membership heartbeats and `leaving` messages
 *   arq.presence.delta                          presence deltas, every node to every node
 *   arq.presence.state.<node>                   full-state request/reply, answered by <node>
 *   arq.pub.t.<tenant>.o.<owner>.r.<room...>    a publish, sent to the room's owner node
 *   arq.fan.t.<tenant>.r.<room...>              a room's fan-out, to nodes with local members
 *   arq.dir.t.<tenant>.n.<node>.r.<room...>     a room's message for one connection of <node>
 *                                               (a replay after a join with `since`)
 *   arq.hand.t.<tenant>.n.<node>.r.<room...>    a room handed over to its new owner <node>
 *
 * The tenant sits at the same depth (the 4th token, after `t`) in every room subject, so one NATS
 * permission `arq.*.t.acme.>` fences a tenant (deploy/nats/nats.conf). The room is last and keeps
 * its dots: each dot-separated segment of a room name is one NATS token, so `chat.*` and `game.>`
 * permissions and subscriptions work on room prefixes, and nothing follows the room that its dots
 * could be confused with. The owner is addressed by node (`o.<owner>`) rather than by room because
 * rooms start lazily: a node subscribes once to `arq.pub.t.*.o.<self>.>` and receives the
 * publishes of every room the ring gives it, without a subscription per room it might own.
 *
 * Token encoding (tenant, node, and each room segment): the characters tenants and room segments
 * may hold after auth (`A-Z a-z 0-9 _ - : @`) stay as they are; any other UTF-8 byte becomes `%HH`
 * (upper-case hex), so no token can hold `.`, a wildcard (`*`, `>`) or white space; an empty token
 * is written `%` alone, which no other token produces. The encoding is injective and reversible.
 */
export const SUBJECT_ROOT = 'arq';
export const CLUSTER_HEARTBEAT_SUBJECT = 'arq.cluster.hb';
export const PRESENCE_SUBJECT_WILDCARD = 'arq.presence.>';
export const PRESENCE_DELTA_SUBJECT = 'arq.presence.delta';
const PRESENCE_STATE_PREFIX = 'arq.presence.state.';

/** A room subject taken apart (`parseRoomSubject`). */
export type RoomSubject =
  | { readonly kind: 'pub'; readonly tenant: string; readonly owner: string; readonly room: string }
  | { readonly kind: 'fan'; readonly tenant: string; readonly room: string };

/** Where `node` answers full-state requests. */
export function presenceStateSubject(node: string): string {
  return PRESENCE_STATE_PREFIX + encodeToken(node);
}

/** A publish into `room` of `tenant`, addressed to the room's owner node. */
export function roomPublishSubject(tenant: string, owner: string, room: string): string {
  return `arq.pub.t.${encodeToken(tenant)}.o.${encodeToken(owner)}.r.${encodeRoomName(room)}`;
}

/** What `owner` subscribes to once for the publishes of every room it owns, all tenants. */
export function ownerPublishWildcard(owner: string): string {
  return `arq.pub.t.*.o.${encodeToken(owner)}.>`;
}

/** The fan-out subject of `room`: subscribed by the nodes that have local members of it. */
export function roomFanoutSubject(tenant: string, room: string): string {
  return `arq.fan.t.${encodeToken(tenant)}.r.${encodeRoomName(room)}`;
}

/** A room's message for one connection on `node` (a replay), sent by the room's owner. */
export function roomDirectSubject(tenant: string, node: string, room: string): string {
  return `arq.dir.t.${encodeToken(tenant)}.n.${encodeToken(node)}.r.${encodeRoomName(room)}`;
}

/** What `node` subscribes to once for the messages of every room addressed to its connections. */
export function nodeDirectWildcard(node: string): string {
  return `arq.dir.t.*.n.${encodeToken(node)}.>`;
}

/** A room handed over to `node`, its new owner (a graceful move), by its old owner. */
export function roomHandoffSubject(tenant: string, node: string, room: string): string {
  return `arq.hand.t.${encodeToken(tenant)}.n.${encodeToken(node)}.r.${encodeRoomName(room)}`;
}

/** What `node` subscribes to once for the rooms handed over to it. */
export function nodeHandoffWildcard(node: string): string {
  return `arq.hand.t.*.n.${encodeToken(node)}.>`;
}

/** Every room subject of `tenant` (pub, fan, dir, hand), as a NATS permission or subscription. */
export function tenantSubjectWildcard(tenant: string): string {
  return `arq.*.t.${encodeToken(tenant)}.>`;
}

/** Takes a room subject apart; null when `subject` is not one (or its tokens do not decode). */
export function parseRoomSubject(subject: string): RoomSubject | null {
  const tokens = subject.split('.');
  if (tokens[0] !== SUBJECT_ROOT || tokens[2] !== 't' || tokens[3] === undefined) return null;
  try {
    const tenant = decodeToken(tokens[3]);
    if (tokens[1] === 'fan' && tokens[4] === 'r' && tokens.length > 5) {
      return { kind: 'fan', tenant, room: decodeRoomName(tokens.slice(5).join('.')) };
    }
    if (
      tokens[1] === 'pub' &&
      tokens[4] === 'o' &&
      tokens[5] !== undefined &&
      tokens[6] === 'r' &&
      tokens.length > 7
    ) {
      const owner = decodeToken(tokens[5]);
      return { kind: 'pub', tenant, owner, room: decodeRoomName(tokens.slice(7).join('.')) };
    }
  } catch (err) {
    if (err instanceof ClusterError) return null;
    throw err;
  }
  return null;
}

/** A room name as NATS tokens: its dots kept, each segment encoded with `encodeToken`. */
export function encodeRoomName(room: string): string {
  return room.split('.').map(encodeToken).join('.');
}

export function decodeRoomName(encoded: string): string {
  return encoded.split('.').map(decodeToken).join('.');
}

const SAFE_CHAR = /^[A-Za-z0-9_\-:@]$/;
const SAFE_TOKEN = /^[A-Za-z0-9_\-:@]+$/;
const EMPTY_TOKEN = '%';
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One NATS token for any string (see the module comment). */
export function encodeToken(value: string): string {
  if (value.length === 0) return EMPTY_TOKEN;
  if (SAFE_TOKEN.test(value)) return value; // the usual case: nothing to escape
  let out = '';
  for (const char of value) {
    if (SAFE_CHAR.test(char)) {
      out += char;
    } else {
      for (const byte of utf8.encode(char)) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

/** The inverse of `encodeToken`; throws `ARQ_ERR_CLUSTER_SUBJECT` on anything it cannot produce. */
export function decodeToken(token: string): string {
  if (token === EMPTY_TOKEN) return '';
  if (SAFE_TOKEN.test(token)) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const char = token[i]!;
    if (char === '%') {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw subjectError(`bad escape in token ${quote(token)}`);
      const byte = Number.parseInt(hex, 16);
      if (byte < 0x80 && SAFE_CHAR.test(String.fromCharCode(byte))) {
        throw subjectError(`token ${quote(token)} escapes a character that needs none`);
      }
      bytes.push(byte);
      i += 2;
    } else if (SAFE_CHAR.test(char)) {
      bytes.push(char.charCodeAt(0));
    } else {
      throw subjectError(`token ${quote(token)} holds an unescaped ${quote(char)}`);
    }
  }
  try {
    return strictUtf8.decode(new Uint8Array(bytes));
  } catch (err) {
    throw subjectError(`token ${quote(token)} is not escaped UTF-8`, err);
  }
}

function subjectError(message: string, cause?: unknown): ClusterError {
  return new ClusterError(
    'ARQ_ERR_CLUSTER_SUBJECT',
    message,
    cause === undefined ? undefined : { cause },
  );
}
